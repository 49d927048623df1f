// andon bench oee: 1 Hz state and cumulative count events for N machines over one H-hour shift,
// generated inside a scratch QuestDB, then the shift roll-up of every machine (with line, site and
// enterprise roll-ups) timed end to end: load from QuestDB, compute, write the rows back.
// The baseline, measured in the same run, is QuestDB scanning the same rows once (a count and a sum
// over both tables): no approach that reads the raw data can be faster than that.
// Correctness is checked on a sample of machines: their written rows must equal the OEE core on all
// of their raw rows, not the reduced ones the roll-up reads.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { questExec } from "#lib/adapters/questdb/http.ts";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import { ensureQuestSchema } from "#lib/adapters/questdb/schema.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { QuestWriter } from "#lib/adapters/questdb/writer.ts";
import { machineKey } from "#lib/contract/identity.ts";
import { startScratchQuestDb } from "#lib/dev/isolated-stack.ts";
import { bucketsOverlapping } from "#lib/domain/oee/buckets.ts";
import { computeOee } from "#lib/domain/oee/compute.ts";
import { DEFAULT_MAPPING } from "#lib/domain/oee/mapping.ts";
import type { CountEvent, OeeResult, StateEvent } from "#lib/domain/oee/types.ts";
import { stateKey } from "#lib/features/ingest/mapping.ts";
import { rollupBuckets } from "#lib/features/oee/rollup.ts";

export interface OeeBenchOptions {
  machines: number;
  hours: number;
  /** Concurrent QuestDB queries of the loader. */
  parallelism: number;
  /** Machines whose result is checked against the core on their raw rows. */
  verify: number;
  say: (m: string) => void;
}

export interface OeeBenchResult {
  seconds: number;
  baselineSeconds: number;
  ratio: number;
  rows: { raw: number; states: number; counts: number; written: number };
  ms: { load: number; compute: number; write: number };
  verified: number;
}

const TZ = "Europe/Berlin";
const SHIFT = {
  name: "early",
  weekdays: [1, 2, 3, 4, 5, 6, 7],
  start: "06:00",
  end: "14:00",
  breaks: [{ name: "lunch", startOffsetMin: 240, durationMin: 30 }],
};
const ICT = 2; // ideal cycle time, s
const CYCLE = 3000; // each machine repeats a 50 min pattern, phase-shifted per machine

/** The pattern, by second p of the cycle: run, a 60 s micro-stop, run, a breakdown, a changeover. */
const PATTERN: { until: number; state: string; runs: boolean }[] = [
  { until: 2000, state: "running", runs: true },
  { until: 2060, state: "idle", runs: false },
  { until: 2400, state: "running", runs: true },
  { until: 2700, state: "equipment_failure", runs: false },
  { until: 3000, state: "changeover", runs: false },
];

function machinesOf(n: number, hours: number): MachineInfo[] {
  const shift = { ...SHIFT, end: `${String(6 + hours).padStart(2, "0")}:00`, breaks: hours >= 6 ? SHIFT.breaks : [] };
  return Array.from({ length: n }, (_, i): MachineInfo => {
    const path = {
      enterprise: "bench",
      site: `site-${Math.floor(i / 100)}`,
      area: "assembly",
      line: `line-${Math.floor(i / 10)}`,
      machine: `m-${String(i).padStart(4, "0")}`,
    };
    return {
      slug: path.machine,
      name: `Machine ${i}`,
      idealCycleTimeS: ICT,
      vibrationGroup: "GROUP_2",
      foundation: "RIGID",
      hasWaveformSensor: false,
      enterprise: path.enterprise,
      site: path.site,
      area: path.area,
      line: path.line,
      path,
      key: machineKey(path),
      timeZone: TZ,
      shifts: [shift],
      lossMapping: DEFAULT_MAPPING,
    };
  });
}

/** SQL for the generated rows: x = 1..n, machine = (x-1) % M, second = (x-1) / M. */
function generators(m: number, n: number, startMs: number) {
  const idx = `((x - 1) % ${m})`;
  const sec = `((x - 1) / ${m})`;
  const t = `(${sec} + ${idx} * 37)`;
  const p = `(${t} % ${CYCLE})`;
  const path = `'bench', 'site-' || (${idx} / 100), 'assembly', 'line-' || (${idx} / 10), 'm-' || lpad(cast(${idx} as string), 4, '0')`;
  const ts = `cast(${startMs * 1000}L + ${sec} * 1000000L as timestamp)`;
  let lo = 0;
  const stateCase = `case ${PATTERN.map((s) => `when ${p} < ${s.until} then '${s.state}'`).join(" ")} end`;
  const keyCase = `case ${PATTERN.map((s) => `when ${p} < ${s.until} then ${stateKey(s.state, undefined, undefined)}L`).join(" ")} end`;
  // running seconds in [0, q) of a cycle position q, then cumulative running seconds up to t
  const runUpTo = (q: string) =>
    PATTERN.map((s) => {
      const from = lo;
      lo = s.until;
      return s.runs ? `greatest(0, least(${q}, ${s.until}) - ${from})` : "0";
    }).join(" + ");
  const perCycle = PATTERN.reduce((a, s, i) => a + (s.runs ? s.until - (i ? (PATTERN[i - 1]?.until ?? 0) : 0) : 0), 0);
  const cum = (tt: string) => {
    lo = 0;
    return `((${tt}) / ${CYCLE} * ${perCycle} + ${runUpTo(`((${tt}) % ${CYCLE})`)})`;
  };
  // every 10th machine's PLC counter resets to 0 half-way through
  const half = Math.floor(n / m / 2);
  const produced = `case when ${idx} % 10 = 0 and ${sec} >= ${half} then ${cum(t)} - ${cum(`${half} + ${idx} * 37`)} else ${cum(t)} - ${cum(`${idx} * 37`)} end`;
  return {
    states: `INSERT INTO ${TABLES.state} (ts, enterprise, site, area, line, machine, state, state_key, received_at)
      SELECT ${ts}, ${path}, ${stateCase}, ${keyCase}, now() FROM long_sequence(${n})`,
    counts: `INSERT INTO ${TABLES.counts} (ts, enterprise, site, area, line, machine, mode, total, reject, received_at)
      SELECT ${ts}, ${path}, 'cumulative', (${produced}) / ${ICT}, (${produced}) / ${ICT} / 40, now() FROM long_sequence(${n})`,
  };
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));

export async function benchOee(o: OeeBenchOptions): Promise<OeeBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), "andon-bench-oee-"));
  o.say("starting a scratch QuestDB");
  const q = await startScratchQuestDb(dir);
  const pool = questPool(q.pgUrl, q.pgPassword, Math.max(4, o.parallelism * 2 + 2));
  const writer = new QuestWriter({ httpUrl: q.httpUrl });
  try {
    await ensureQuestSchema(q.httpUrl);
    const machines = machinesOf(o.machines, o.hours);
    // the shift of yesterday (local), so it is closed
    const day = Date.now() - 86_400_000;
    const first = machines[0];
    if (!first) throw new Error("no machines");
    const shift = bucketsOverlapping("shift", { timeZone: TZ, shifts: first.shifts }, day - 86_400_000, day).at(-1);
    if (!shift) throw new Error("no shift");
    const n = o.machines * o.hours * 3600;
    const sql = generators(o.machines, n, shift.start);
    for (const [what, stmt] of [
      ["state", sql.states],
      ["counts", sql.counts],
    ] as const) {
      const t = performance.now();
      await questExec(q.httpUrl, stmt.replace(/\s+/g, " "), 900_000);
      o.say(`generated ${n.toLocaleString("en")} ${what} rows in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    await waitWalApplied(pool, [TABLES.state, TABLES.counts], 900_000);
    const iso = [new Date(shift.start).toISOString(), new Date(shift.end).toISOString()];

    o.say("baseline: one scan of both tables");
    const tb = performance.now();
    await Promise.all([
      pool.query(`SELECT count(), max(state_key) FROM ${TABLES.state} WHERE ts >= $1 AND ts < $2`, iso),
      pool.query(`SELECT count(), sum(total), sum(reject) FROM ${TABLES.counts} WHERE ts >= $1 AND ts < $2`, iso),
    ]);
    const baselineSeconds = (performance.now() - tb) / 1000;

    o.say(`roll-up of shift ${shift.label} (${new Date(shift.start).toISOString()} .. ${new Date(shift.end).toISOString()}) for ${o.machines} machines`);
    const t0 = performance.now();
    const stats = await rollupBuckets({ pool, writer, machines, parallelism: o.parallelism }, "shift", (place) =>
      bucketsOverlapping("shift", place, shift.start, shift.end).filter((b) => b.start === shift.start),
    );
    const seconds = (performance.now() - t0) / 1000;
    o.say(
      `read ${stats.events.states} state changes and ${stats.events.counts} count samples (of ${2 * n} raw rows); wrote ${stats.machineRows} machine and ${stats.rollupRows} roll-up rows`,
    );
    o.say(`load ${stats.ms.load.toFixed(0)} ms, compute ${stats.ms.compute.toFixed(0)} ms, write ${stats.ms.write.toFixed(0)} ms`);

    await waitWalApplied(pool, [TABLES.oeeMachine, TABLES.oeeRollup]);
    // spread over the fleet, half of them machines whose counter resets (every 10th)
    const step = Math.max(1, Math.floor(o.machines / o.verify));
    const sample = Array.from({ length: Math.min(o.verify, o.machines) }, (_, k) => machines[Math.min(o.machines - 1, k * step + (k % 2))] as MachineInfo);
    for (const m of sample) {
      const where = "enterprise = $1 AND site = $2 AND area = $3 AND line = $4 AND machine = $5";
      const args = [m.enterprise, m.site, m.area, m.line, m.slug];
      const [s, c, row] = await Promise.all([
        pool.query(`SELECT ts, state FROM ${TABLES.state} WHERE ${where}`, args),
        pool.query(`SELECT ts, total, reject FROM ${TABLES.counts} WHERE ${where}`, args),
        pool.query(`SELECT * FROM ${TABLES.oeeMachine} WHERE ${where} AND granularity = 'shift'`, args),
      ]);
      const states: StateEvent[] = s.rows.map((r) => ({ ts: r.ts.getTime(), state: r.state }));
      const counts: CountEvent[] = c.rows.map((r) => ({ ts: r.ts.getTime(), mode: "cumulative", total: Number(r.total), reject: Number(r.reject) }));
      const want: OeeResult = computeOee({
        window: { start: shift.start, end: shift.end },
        idealCycleTimeS: m.idealCycleTimeS,
        plan: { kind: "calendar", timeZone: m.timeZone, shifts: m.shifts },
        mapping: DEFAULT_MAPPING,
        states,
        counts,
      });
      const got = row.rows[0];
      const same =
        got &&
        close(got.planned_busy_s, want.elements.plannedBusyS) &&
        close(got.run_s, want.elements.runS) &&
        close(got.small_stop_s, want.elements.smallStopS) &&
        close(got.breakdown_s, want.elements.breakdownS) &&
        Number(got.total) === want.elements.total &&
        Number(got.good) === want.elements.good &&
        Number(got.failures) === want.elements.failures;
      if (!same) throw new Error(`${m.key}: the roll-up differs from the core on the raw rows: ${JSON.stringify({ got, want: want.elements })}`);
    }
    o.say(`verified ${sample.length} machines against the OEE core on all their raw rows: equal`);
    return {
      seconds,
      baselineSeconds,
      ratio: seconds / baselineSeconds,
      rows: { raw: 2 * n, states: stats.events.states, counts: stats.events.counts, written: stats.machineRows + stats.rollupRows },
      ms: stats.ms,
      verified: sample.length,
    };
  } finally {
    await writer.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
    await q.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

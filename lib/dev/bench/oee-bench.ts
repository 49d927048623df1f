// andon bench oee: 1 Hz state and cumulative count events for N machines over one H-hour shift,
// generated inside a scratch QuestDB. Then, as the OEE worker does it:
// 1. the minute buckets of every machine, computed on the raw events as the minute job computes them
//    (paid as data arrives, a minute at a time; timed separately: the pieces of a catch-up, and a few
//    scheduled runs of the minute job, each the last 5 minutes);
// 2. the shift roll-up of every machine with its line, site and enterprise roll-ups, timed end to end:
//    the machines' minute rows summed in QuestDB, KPIs from the sums, rows written back. This is S;
// 3. the same shift computed on the raw events (the path every bucket took before, and the fallback
//    for buckets whose minutes are not usable), timed, not written.
// The baseline, measured in the same run, is QuestDB scanning the raw rows once (a count and a sum
// over both tables): no approach that reads the raw data can be faster than that.
// Correctness: the summed shift of every machine must equal the raw-events shift (every element,
// loss and KPI), and a sample of machines' written rows must equal the OEE core on all of their raw
// rows, not the reduced ones the roll-up reads.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { questExec } from "#lib/adapters/questdb/http.ts";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import { ensureQuestSchema } from "#lib/adapters/questdb/schema.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { QuestWriter } from "#lib/adapters/questdb/writer.ts";
import type { MachineKey } from "#lib/contract/identity.ts";
import { startScratchQuestDb } from "#lib/dev/isolated-stack.ts";
import { type BucketPlace, bucketsOverlapping } from "#lib/domain/oee/buckets.ts";
import { computeOee } from "#lib/domain/oee/compute.ts";
import { DEFAULT_MAPPING } from "#lib/domain/oee/mapping.ts";
import type { CountEvent, OeeResult, StateEvent } from "#lib/domain/oee/types.ts";
import { rollupBuckets } from "#lib/features/oee/rollup.ts";
import { generators, machinesOf } from "./oee-bench-data.ts";

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
  /** The shift roll-up summed from minute rows, end to end. */
  seconds: number;
  baselineSeconds: number;
  ratio: number;
  rows: { raw: number; minute: number; written: number };
  ms: { load: number; compute: number; write: number };
  /** The minute buckets of the whole shift (catch-up pieces of an hour), and one scheduled minute run (median of a few). */
  minutes: { seconds: number; pieces: number; scheduledRunMs: number[]; scheduledMinutes: number };
  /** The same shift on the raw events (not written). */
  raw: { seconds: number; ms: { load: number; compute: number }; states: number; counts: number };
  /** Machines whose summed shift equals the raw-events shift; machines checked against the core on all raw rows. */
  equalToRaw: number;
  verified: number;
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));

/** Every number of a result that differs between a and b (elements, losses, KPIs; flags as sets). */
function differences(a: OeeResult, b: OeeResult): string[] {
  const out: string[] = [];
  const cmp = (what: string, x: Record<string, number | null>, y: Record<string, number | null>) => {
    for (const k of Object.keys(y)) {
      const [u, v] = [x[k] ?? null, y[k] ?? null];
      if (u === null || v === null ? u !== v : !close(u, v)) out.push(`${what}.${k}: ${u} vs ${v}`);
    }
  };
  cmp("elements", { ...a.elements }, { ...b.elements });
  cmp("losses", { ...a.losses }, { ...b.losses });
  cmp("kpis", { ...a.kpis }, { ...b.kpis });
  if ([...a.flags].sort().join() !== [...b.flags].sort().join()) out.push(`flags: ${a.flags} vs ${b.flags}`);
  if (a.mappingVersion !== b.mappingVersion) out.push(`mapping: ${a.mappingVersion} vs ${b.mappingVersion}`);
  return out;
}

/** The written row's columns checked against the core on the raw rows. */
const ROW_FIELDS = [
  ["calendar_s", "calendarS"],
  ["planned_busy_s", "plannedBusyS"],
  ["breakdown_s", "breakdownS"],
  ["setup_s", "setupS"],
  ["other_stop_s", "otherStopS"],
  ["run_s", "runS"],
  ["small_stop_s", "smallStopS"],
  ["net_run_s", "netRunS"],
  ["fully_productive_s", "fullyProductiveS"],
  ["total", "total"],
  ["reject", "reject"],
  ["good", "good"],
  ["failures", "failures"],
] as const;

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
    const shift = bucketsOverlapping("shift", { timeZone: first.timeZone, shifts: first.shifts }, day - 86_400_000, day).at(-1);
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

    const deps = { pool, writer, machines, parallelism: o.parallelism };
    const HOUR = 3_600_000;
    o.say(`minute buckets of the shift for ${o.machines} machines, as the minute job computes them (catch-up pieces of 1 h)`);
    const tm = performance.now();
    let minuteRows = 0;
    let pieces = 0;
    for (let from = shift.start; from < shift.end; from += HOUR) {
      const to = Math.min(shift.end, from + HOUR);
      const st = await rollupBuckets(deps, "minute", (place) => bucketsOverlapping("minute", place, from, to));
      minuteRows += st.machineRows;
      pieces++;
    }
    const minuteSeconds = (performance.now() - tm) / 1000;
    o.say(
      `minute buckets: ${minuteRows} machine rows in ${minuteSeconds.toFixed(1)} s (${((minuteSeconds * 1000) / (minuteRows / o.machines)).toFixed(0)} ms per fleet-minute)`,
    );
    // the steady state: the scheduled minute job computes the last 5 closed minutes every minute
    const scheduledMinutes = 5;
    const scheduledRunMs: number[] = [];
    for (const at of [shift.start + 2 * HOUR, shift.start + 4 * HOUR, shift.end]) {
      const t = performance.now();
      await rollupBuckets(deps, "minute", (place) => bucketsOverlapping("minute", place, at - scheduledMinutes * 60_000, at));
      scheduledRunMs.push(performance.now() - t);
    }
    o.say(
      `one scheduled minute run (${scheduledMinutes} minutes × ${o.machines} machines, 1 h look-back): ${scheduledRunMs.map((x) => x.toFixed(0)).join(", ")} ms`,
    );
    await waitWalApplied(pool, [TABLES.oeeMachine, TABLES.oeeRollup]);

    const select = (place: BucketPlace) => bucketsOverlapping("shift", place, shift.start, shift.end).filter((b) => b.start === shift.start);
    o.say(
      `roll-up of shift ${shift.label} (${new Date(shift.start).toISOString()} .. ${new Date(shift.end).toISOString()}) for ${o.machines} machines from their minute rows`,
    );
    const t0 = performance.now();
    let summed = new Map<MachineKey, Map<number, OeeResult>>();
    const stats = await rollupBuckets(deps, "shift", select, {
      onResults: (r) => {
        summed = r;
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    if (stats.sources.minutes !== o.machines)
      throw new Error(`only ${stats.sources.minutes} of ${o.machines} machines were summed from minutes (${JSON.stringify(stats.sources.why)})`);
    o.say(`summed ${stats.sources.minutes} machines' minute rows; wrote ${stats.machineRows} machine and ${stats.rollupRows} roll-up rows`);
    o.say(`load ${stats.ms.load.toFixed(0)} ms, compute ${stats.ms.compute.toFixed(0)} ms, write ${stats.ms.write.toFixed(0)} ms`);

    o.say("the same shift on the raw events (the path before, and the fallback), not written");
    let rawResults = new Map<MachineKey, Map<number, OeeResult>>();
    const tr = performance.now();
    const rawStats = await rollupBuckets(deps, "shift", select, {
      source: "raw",
      write: false,
      onResults: (r) => {
        rawResults = r;
      },
    });
    const rawSeconds = (performance.now() - tr) / 1000;
    o.say(
      `raw events: ${rawSeconds.toFixed(2)} s (load ${rawStats.ms.load.toFixed(0)} ms, compute ${rawStats.ms.compute.toFixed(0)} ms); read ${rawStats.events.states} state changes and ${rawStats.events.counts} count samples of ${2 * n} raw rows`,
    );

    let equalToRaw = 0;
    for (const m of machines) {
      const want = rawResults.get(m.key)?.get(shift.start);
      const got = summed.get(m.key)?.get(shift.start);
      if (!want || !got) throw new Error(`${m.key}: no shift result`);
      const diff = differences(got, want);
      if (diff.length) throw new Error(`${m.key}: the shift summed from minutes differs from the raw events: ${diff.join("; ")}`);
      equalToRaw++;
    }
    o.say(`all ${equalToRaw} machines: the shift summed from minute rows equals the shift on the raw events (every element, loss and KPI)`);
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
      const same = got && ROW_FIELDS.every(([col, k]) => close(Number(got[col]), want.elements[k])) && close(Number(got.oee), want.kpis.oee ?? Number.NaN);
      if (!same) throw new Error(`${m.key}: the roll-up differs from the core on the raw rows: ${JSON.stringify({ got, want: want.elements })}`);
    }
    o.say(`verified ${sample.length} machines against the OEE core on all their raw rows: equal`);
    return {
      seconds,
      baselineSeconds,
      ratio: seconds / baselineSeconds,
      rows: { raw: 2 * n, minute: minuteRows, written: stats.machineRows + stats.rollupRows },
      ms: stats.ms,
      minutes: { seconds: minuteSeconds, pieces, scheduledRunMs, scheduledMinutes },
      raw: {
        seconds: rawSeconds,
        ms: { load: rawStats.ms.load, compute: rawStats.ms.compute },
        states: rawStats.events.states,
        counts: rawStats.events.counts,
      },
      equalToRaw,
      verified: sample.length,
    };
  } finally {
    await writer.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
    await q.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// The data of `andon bench oee` (./oee-bench.ts): N machines on one shift calendar, and the SQL that
// generates their 1 Hz states and cumulative counts inside QuestDB with long_sequence(): each machine
// repeats a phase-shifted 50 min pattern of running, a 60 s micro-stop, running, a 5 min breakdown and
// a 5 min changeover, and every 10th machine's PLC counter resets to 0 half-way.
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { machineKey } from "#lib/contract/identity.ts";
import { DEFAULT_MAPPING } from "#lib/domain/oee/mapping.ts";
import { stateKey } from "#lib/features/ingest/mapping.ts";

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

export function machinesOf(n: number, hours: number): MachineInfo[] {
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
export function generators(m: number, n: number, startMs: number) {
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

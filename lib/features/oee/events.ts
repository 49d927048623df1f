// Reads the raw events the OEE core needs for a whole fleet and a time range from QuestDB, reduced
// in the database without changing any result:
// - states: only the rows whose state key (state, code, reason) differs from the row before, per
//   machine (a 1 Hz heartbeat of the same state is one event); the core treats repeats the same way;
// - cumulative counts: the first and last sample of each chunk (chunks are cut at every bucket
//   boundary) and, around every decrease (reset or rollover), the sample before it and the sample
//   itself. Between two kept samples both counters only rose, so the core's sum of increases over
//   the kept samples equals the sum over all of them, bucket by bucket. Delta counts are all kept.
// All values are bound parameters; range chunks run concurrently (QuestDB runs window functions on
// one thread per query).

import type pg from "pg";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { machineKey } from "#lib/contract/identity.ts";
import type { CountEvent, Interval, StateEvent } from "#lib/domain/oee/types.ts";

const PATH = "enterprise, site, area, line, machine";

export interface MachineEvents {
  states: StateEvent[];
  counts: CountEvent[];
}

export interface FleetQuery {
  /** Buckets will be computed inside this range. */
  range: Interval;
  /** Every bucket boundary inside the range (count chunks are cut there). */
  boundaries: readonly number[];
  /** How far before the range to look for the start of the state running at its start, ms. */
  lookbackMs: number;
  /** How far after the range to look for the end of the state running at its end, ms. */
  lookaheadMs: number;
  /** Split the range into at least this many chunks to use more than one QuestDB worker. */
  parallelism?: number;
  /** Only this machine (default: every machine). */
  only?: PathRow;
  /** Only this site's machines. */
  site?: { enterprise: string; site: string };
}

interface PathRow {
  enterprise: string;
  site: string;
  area: string;
  line: string;
  machine: string;
}
interface StateRow extends PathRow {
  ts: Date;
  state: string | null;
  code: number | null;
  reason: string | null;
}
interface CountRow extends PathRow {
  ts: Date;
  mode: string;
  total: string | number;
  reject: string | number;
  counter_max: string | number | null;
  pt: string | number | null;
  pr: string | number | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

function chunks(from: number, to: number, cuts: readonly number[], parallelism: number): Interval[] {
  const step = (to - from) / Math.max(1, parallelism);
  const points = new Set<number>([from, to, ...cuts.filter((c) => c > from && c < to)]);
  for (let i = 1; i < parallelism; i++) points.add(Math.round(from + i * step));
  const sorted = [...points].sort((a, b) => a - b);
  return sorted.slice(1).map((end, i) => ({ start: sorted[i] as number, end }));
}

/** Bound-parameter conditions on the path columns, numbered from $first. */
function pathFilter(values: readonly string[], first: number): string {
  const cols = ["enterprise", "site", "area", "line", "machine"];
  return values.map((_v, i) => `AND ${cols[i]} = $${first + i}`).join(" ");
}
const sql = (filter: readonly string[]) => {
  const two = pathFilter(filter, 3);
  const one = pathFilter(filter, 2);
  return {
    statesChanged: `SELECT ${PATH}, ts, state, code, reason FROM (
    SELECT ${PATH}, ts, state, code, reason, state_key, lag(state_key) OVER (PARTITION BY ${PATH} ORDER BY ts) AS prev_key
    FROM ${TABLES.state} WHERE ts >= $1 AND ts < $2 ${two})
  WHERE state_key IS NULL OR prev_key IS NULL OR prev_key != state_key`,
    stateBefore: `SELECT ${PATH}, ts, state, code, reason FROM ${TABLES.state} WHERE ts < $1 ${one} LATEST ON ts PARTITION BY ${PATH}`,
    countsKept: `SELECT ${PATH}, ts, mode, total, reject, counter_max, pt, pr FROM (
    SELECT ${PATH}, ts, mode, total, reject, counter_max, lag(total) OVER w AS pt, lag(reject) OVER w AS pr
    FROM ${TABLES.counts} WHERE ts >= $1 AND ts < $2 ${two}
    WINDOW w AS (PARTITION BY ${PATH} ORDER BY ts))
  WHERE mode = 'delta' OR pt IS NULL OR total < pt OR reject < pr`,
    countsLast: `SELECT ${PATH}, ts, mode, total, reject, counter_max, NULL pt, NULL pr FROM ${TABLES.counts}
  WHERE ts >= $1 AND ts < $2 AND mode = 'cumulative' ${two} LATEST ON ts PARTITION BY ${PATH}`,
    countBaseline: `SELECT ${PATH}, ts, mode, total, reject, counter_max, NULL pt, NULL pr FROM ${TABLES.counts}
  WHERE ts < $1 AND mode = 'cumulative' ${one} LATEST ON ts PARTITION BY ${PATH}`,
  };
};

const toState = (r: StateRow): StateEvent => ({
  ts: r.ts.getTime(),
  ...(r.state !== null ? { state: r.state } : {}),
  ...(r.code !== null ? { code: Number(r.code) } : {}),
  ...(r.reason !== null ? { reason: r.reason } : {}),
});

function toCounts(r: CountRow): CountEvent[] {
  const ts = r.ts.getTime();
  if (r.mode === "delta") return [{ ts, mode: "delta", total: Number(r.total), reject: Number(r.reject) }];
  const max = r.counter_max !== null ? { counterMax: Number(r.counter_max) } : {};
  const self: CountEvent = { ts, mode: "cumulative", total: Number(r.total), reject: Number(r.reject), ...max };
  if (r.pt === null || r.pr === null) return [self];
  // the sample just before a decrease: same bucket (its chunk), ordered before it (stable sort on ts)
  return [{ ts, mode: "cumulative", total: Number(r.pt), reject: Number(r.pr), ...max }, self];
}

/** The events of every machine with data, keyed by path, for computing any bucket inside q.range. */
export async function loadFleetEvents(pool: pg.Pool, q: FleetQuery): Promise<Map<string, MachineEvents>> {
  const p = Math.max(1, q.parallelism ?? 2);
  const stateFrom = q.range.start - q.lookbackMs;
  const stateTo = q.range.end + q.lookaheadMs;
  const stateChunks = chunks(stateFrom, stateTo, [], p);
  const countChunks = chunks(q.range.start, q.range.end, q.boundaries, p);
  const path = q.only ? [q.only.enterprise, q.only.site, q.only.area, q.only.line, q.only.machine] : q.site ? [q.site.enterprise, q.site.site] : [];
  const S = sql(path);
  const states = pool.query<StateRow>(S.stateBefore, [iso(stateFrom), ...path]).then((r) => [r.rows]);
  const changed = Promise.all(stateChunks.map((c) => pool.query<StateRow>(S.statesChanged, [iso(c.start), iso(c.end), ...path]).then((r) => r.rows)));
  const baseline = pool.query<CountRow>(S.countBaseline, [iso(q.range.start), ...path]).then((r) => r.rows);
  const kept = Promise.all(
    countChunks.map(async (c) => {
      const [a, b] = await Promise.all([
        pool.query<CountRow>(S.countsKept, [iso(c.start), iso(c.end), ...path]),
        pool.query<CountRow>(S.countsLast, [iso(c.start), iso(c.end), ...path]),
      ]);
      return [...a.rows, ...b.rows];
    }),
  );
  const [before, inside, base, counted] = await Promise.all([states, changed, baseline, kept]);
  const out = new Map<string, MachineEvents>();
  const of = (r: PathRow) => {
    const k = machineKey(r);
    let e = out.get(k);
    if (!e) {
      e = { states: [], counts: [] };
      out.set(k, e);
    }
    return e;
  };
  for (const rows of [...before, ...inside]) for (const r of rows) of(r).states.push(toState(r));
  for (const r of base) of(r).counts.push(...toCounts(r));
  for (const rows of counted) for (const r of rows) of(r).counts.push(...toCounts(r));
  for (const e of out.values()) {
    e.states.sort((a, b) => a.ts - b.ts);
    e.counts = dedupeCounts(e.counts);
  }
  return out;
}

/** The last sample of a chunk may also be its first or a decrease row: keep one copy of each sample. */
function dedupeCounts(events: CountEvent[]): CountEvent[] {
  const seen = new Set<string>();
  const out: CountEvent[] = [];
  // stable: a synthetic "sample before a decrease" keeps its place just before the decrease
  for (const e of events.map((e, i) => ({ e, i })).sort((a, b) => a.e.ts - b.e.ts || a.i - b.i)) {
    const k = `${e.e.ts}|${e.e.mode}|${e.e.total}|${e.e.reject}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(e.e);
  }
  return out;
}

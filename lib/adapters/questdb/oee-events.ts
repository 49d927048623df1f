// The raw events the OEE core needs, read from QuestDB and reduced in the database without changing
// any result (lib/features/oee/events.ts puts the pieces together):
// - states: only the rows whose state key (state, code, reason) differs from the row before, per
//   machine (a 1 Hz heartbeat of the same state is one event); the core treats repeats the same way;
// - cumulative counts: the first and last sample of each chunk and, around every decrease (reset or
//   rollover), the sample before it and the sample itself; where startup rejects are counted, also
//   every sample whose reject counter rose. Delta counts are all kept.
// All values are bound parameters; each function reads one time chunk, optionally of one machine or site.
import type pg from "pg";
import { type MachineKey, machineKey } from "#lib/contract/identity.ts";
import type { CountEvent, Interval, StateEvent } from "#lib/domain/oee/types.ts";
import { prepared } from "./pg.ts";
import { TABLES } from "./tables.ts";

const PATH = "enterprise, site, area, line, machine";
const COLUMNS = ["enterprise", "site", "area", "line", "machine"] as const;

/** The machines read: one machine or one site (its path's leading levels), or every machine (empty). */
export type PathPrefix = readonly string[];

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

export interface KeyedState {
  key: MachineKey;
  event: StateEvent;
}
export interface KeyedCounts {
  key: MachineKey;
  events: CountEvent[];
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Bound-parameter conditions on the path columns, numbered from $first. */
function pathFilter(values: PathPrefix, first: number): string {
  return values.map((_v, i) => `AND ${COLUMNS[i]} = $${first + i}`).join(" ");
}

const sql = {
  statesChanged: (p: PathPrefix) => `SELECT ${PATH}, ts, state, code, reason FROM (
    SELECT ${PATH}, ts, state, code, reason, state_key, lag(state_key) OVER (PARTITION BY ${PATH} ORDER BY ts) AS prev_key
    FROM ${TABLES.state} WHERE ts >= $1 AND ts < $2 ${pathFilter(p, 3)})
  WHERE state_key IS NULL OR prev_key IS NULL OR prev_key != state_key`,
  stateBefore: (p: PathPrefix) =>
    `SELECT ${PATH}, ts, state, code, reason FROM ${TABLES.state} WHERE ts < $1 ${pathFilter(p, 2)} LATEST ON ts PARTITION BY ${PATH}`,
  countsKept: (p: PathPrefix, rejectRises: boolean) => `SELECT ${PATH}, ts, mode, total, reject, counter_max, pt, pr FROM (
    SELECT ${PATH}, ts, mode, total, reject, counter_max, lag(total) OVER w AS pt, lag(reject) OVER w AS pr
    FROM ${TABLES.counts} WHERE ts >= $1 AND ts < $2 ${pathFilter(p, 3)}
    WINDOW w AS (PARTITION BY ${PATH} ORDER BY ts))
  WHERE mode = 'delta' OR pt IS NULL OR total < pt OR reject < pr${rejectRises ? " OR reject > pr" : ""}`,
  countsLast: (p: PathPrefix) => `SELECT ${PATH}, ts, mode, total, reject, counter_max, NULL pt, NULL pr FROM ${TABLES.counts}
  WHERE ts >= $1 AND ts < $2 AND mode = 'cumulative' ${pathFilter(p, 3)} LATEST ON ts PARTITION BY ${PATH}`,
  countBaseline: (p: PathPrefix) => `SELECT ${PATH}, ts, mode, total, reject, counter_max, NULL pt, NULL pr FROM ${TABLES.counts}
  WHERE ts < $1 AND mode = 'cumulative' ${pathFilter(p, 2)} LATEST ON ts PARTITION BY ${PATH}`,
};

const toState = (r: StateRow): KeyedState => ({
  key: machineKey(r),
  event: {
    ts: r.ts.getTime(),
    ...(r.state !== null ? { state: r.state } : {}),
    ...(r.code !== null ? { code: Number(r.code) } : {}),
    ...(r.reason !== null ? { reason: r.reason } : {}),
  },
});

function toCounts(r: CountRow): KeyedCounts {
  const key = machineKey(r);
  const ts = r.ts.getTime();
  if (r.mode === "delta") return { key, events: [{ ts, mode: "delta", total: Number(r.total), reject: Number(r.reject) }] };
  const max = r.counter_max !== null ? { counterMax: Number(r.counter_max) } : {};
  const self: CountEvent = { ts, mode: "cumulative", total: Number(r.total), reject: Number(r.reject), ...max };
  if (r.pt === null || r.pr === null) return { key, events: [self] };
  // the sample just before a decrease: same bucket (its chunk), ordered before it (stable sort on ts)
  return { key, events: [{ ts, mode: "cumulative", total: Number(r.pt), reject: Number(r.pr), ...max }, self] };
}

/** The state each machine was in at `beforeMs` (its last state row before it). */
export async function statesBefore(pool: pg.Pool, beforeMs: number, path: PathPrefix): Promise<KeyedState[]> {
  return (await prepared<StateRow>(pool, sql.stateBefore(path), [iso(beforeMs), ...path])).rows.map(toState);
}

/** The state rows of the chunk that change a machine's state. */
export async function stateChangesIn(pool: pg.Pool, c: Interval, path: PathPrefix): Promise<KeyedState[]> {
  return (await prepared<StateRow>(pool, sql.statesChanged(path), [iso(c.start), iso(c.end), ...path])).rows.map(toState);
}

/**
 * stateChangesIn(pool, c, path), and whether a state row of [check.start, check.end) was received at
 * or after check.receivedSinceMs (a row stored late, behind rows read already; one row at most is
 * read), in one statement: the plant board's refresh, where QuestDB's cost is mostly per statement.
 */
export async function stateChangesAndLate(
  pool: pg.Pool,
  c: Interval,
  check: { start: number; end: number; receivedSinceMs: number },
  path: PathPrefix,
): Promise<{ rows: KeyedState[]; late: boolean }> {
  const n = 3 + path.length;
  const { rows } = await prepared<StateRow & { late: boolean }>(
    pool,
    `SELECT ${PATH}, ts, state, code, reason, false late FROM (${sql.statesChanged(path)})
     UNION ALL
     SELECT * FROM (SELECT ${PATH}, ts, state, code, reason, true late FROM ${TABLES.state}
       WHERE ts >= $${n} AND ts < $${n + 1} AND received_at >= $${n + 2} ${pathFilter(path, 3)} LIMIT 1)`,
    [iso(c.start), iso(c.end), ...path, iso(check.start), iso(check.end), iso(check.receivedSinceMs)],
  );
  const out: KeyedState[] = [];
  let late = false;
  for (const r of rows) {
    if (r.late === true) late = true;
    else out.push(toState(r));
  }
  return { rows: out, late };
}

/** Each machine's last cumulative count sample before `beforeMs`: the baseline of the first increase. */
export async function countBaseline(pool: pg.Pool, beforeMs: number, path: PathPrefix): Promise<KeyedCounts[]> {
  return (await pool.query<CountRow>(sql.countBaseline(path), [iso(beforeMs), ...path])).rows.map(toCounts);
}

/**
 * The count samples of the chunk the core needs: deltas, first and last samples, and around every
 * decrease. With `rejectRises`, also every sample whose reject counter rose: startup rejects are the
 * rejects counted by samples inside a startup window, so each rise must keep its own timestamp
 * (between two kept samples the reject counter then rises only at the later one).
 */
export async function countsKeptIn(pool: pg.Pool, c: Interval, path: PathPrefix, rejectRises = false): Promise<KeyedCounts[]> {
  const [a, b] = await Promise.all([
    pool.query<CountRow>(sql.countsKept(path, rejectRises), [iso(c.start), iso(c.end), ...path]),
    pool.query<CountRow>(sql.countsLast(path), [iso(c.start), iso(c.end), ...path]),
  ]);
  return [...a.rows, ...b.rows].map(toCounts);
}

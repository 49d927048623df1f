// Reads one machine's raw events for a window from QuestDB (parameterized), in the OEE core's shape:
// the events inside the window plus the last state and counter sample before it and the first state after it.
import type pg from "pg";
import type { MachinePath } from "../contract/topics.ts";
import type { CountEvent, Interval, StateEvent } from "../domain/oee/types.ts";
import { TABLES } from "../questdb/tables.ts";

const WHERE_MACHINE = "enterprise = $1 AND site = $2 AND area = $3 AND line = $4 AND machine = $5";

interface StateRow {
  ts: Date;
  state: string | null;
  code: number | null;
  reason: string | null;
}
interface CountRow {
  ts: Date;
  mode: string;
  total: string | number;
  reject: string | number;
  counter_max: string | number | null;
}

const toState = (r: StateRow): StateEvent => ({
  ts: r.ts.getTime(),
  ...(r.state !== null ? { state: r.state } : {}),
  ...(r.code !== null ? { code: Number(r.code) } : {}),
  ...(r.reason !== null ? { reason: r.reason } : {}),
});
const toCount = (r: CountRow): CountEvent =>
  r.mode === "delta"
    ? { ts: r.ts.getTime(), mode: "delta", total: Number(r.total), reject: Number(r.reject) }
    : {
        ts: r.ts.getTime(),
        mode: "cumulative",
        total: Number(r.total),
        reject: Number(r.reject),
        ...(r.counter_max !== null ? { counterMax: Number(r.counter_max) } : {}),
      };

export async function loadMachineEvents(pool: pg.Pool, p: MachinePath, w: Interval): Promise<{ states: StateEvent[]; counts: CountEvent[] }> {
  const path = [p.enterprise, p.site, p.area, p.line, p.machine];
  const start = new Date(w.start).toISOString();
  const end = new Date(w.end).toISOString();
  const [before, inside, after, countBefore, countsInside] = await Promise.all([
    pool.query<StateRow>(`SELECT ts, state, code, reason FROM ${TABLES.state} WHERE ${WHERE_MACHINE} AND ts < $6 ORDER BY ts DESC LIMIT 1`, [...path, start]),
    pool.query<StateRow>(`SELECT ts, state, code, reason FROM ${TABLES.state} WHERE ${WHERE_MACHINE} AND ts >= $6 AND ts < $7 ORDER BY ts`, [
      ...path,
      start,
      end,
    ]),
    pool.query<StateRow>(`SELECT ts, state, code, reason FROM ${TABLES.state} WHERE ${WHERE_MACHINE} AND ts >= $6 ORDER BY ts LIMIT 1`, [...path, end]),
    pool.query<CountRow>(
      `SELECT ts, mode, total, reject, counter_max FROM ${TABLES.counts} WHERE ${WHERE_MACHINE} AND mode = 'cumulative' AND ts < $6 ORDER BY ts DESC LIMIT 1`,
      [...path, start],
    ),
    pool.query<CountRow>(`SELECT ts, mode, total, reject, counter_max FROM ${TABLES.counts} WHERE ${WHERE_MACHINE} AND ts >= $6 AND ts < $7 ORDER BY ts`, [
      ...path,
      start,
      end,
    ]),
  ]);
  return {
    states: [...before.rows, ...inside.rows, ...after.rows].map(toState),
    counts: [...countBefore.rows, ...countsInside.rows].map(toCount),
  };
}

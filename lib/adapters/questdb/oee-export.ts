// One machine's raw state and count rows for a window, unreduced (for `andon oee export`).
import type pg from "pg";
import type { MachinePath } from "#lib/contract/identity.ts";
import type { Interval } from "#lib/domain/oee/types.ts";
import { TABLES } from "./tables.ts";

const WHERE = "enterprise = $1 AND site = $2 AND area = $3 AND line = $4 AND machine = $5";

export interface RawStateRow {
  ts: Date;
  state: string | null;
  code: number | null;
  reason: string | null;
}
export interface RawCountRow {
  ts: Date;
  mode: string;
  total: string | number;
  reject: string | number;
  counter_max: string | number | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The machine's state rows in `states` (with the last one before it, the state running at its start),
 * and its count rows in `counts` (with the last cumulative sample before it, the baseline), in time order.
 */
export async function machineRawRows(
  pool: pg.Pool,
  p: MachinePath,
  states: Interval,
  counts: Interval,
): Promise<{ states: RawStateRow[]; counts: RawCountRow[] }> {
  const path = [p.enterprise, p.site, p.area, p.line, p.machine];
  const [before, inside, countBefore, countsInside] = await Promise.all([
    pool.query<RawStateRow>(`SELECT ts, state, code, reason FROM ${TABLES.state} WHERE ${WHERE} AND ts < $6 ORDER BY ts DESC LIMIT 1`, [
      ...path,
      iso(states.start),
    ]),
    pool.query<RawStateRow>(`SELECT ts, state, code, reason FROM ${TABLES.state} WHERE ${WHERE} AND ts >= $6 AND ts < $7 ORDER BY ts`, [
      ...path,
      iso(states.start),
      iso(states.end),
    ]),
    pool.query<RawCountRow>(
      `SELECT ts, mode, total, reject, counter_max FROM ${TABLES.counts} WHERE ${WHERE} AND mode = 'cumulative' AND ts < $6 ORDER BY ts DESC LIMIT 1`,
      [...path, iso(counts.start)],
    ),
    pool.query<RawCountRow>(`SELECT ts, mode, total, reject, counter_max FROM ${TABLES.counts} WHERE ${WHERE} AND ts >= $6 AND ts < $7 ORDER BY ts`, [
      ...path,
      iso(counts.start),
      iso(counts.end),
    ]),
  ]);
  return { states: [...before.rows, ...inside.rows], counts: [...countBefore.rows, ...countsInside.rows] };
}

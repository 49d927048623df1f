// How far a change at some instant reaches forward in one machine's raw data: the next state change
// after it and the next count sample after it (lib/domain/oee/plan.ts `reachOf` turns these into the
// minutes to recompute). Two or three small queries per machine, no window functions.
import type pg from "pg";
import type { MachinePath } from "#lib/contract/identity.ts";
import { TABLES } from "./tables.ts";

const PATH = "enterprise, site, area, line, machine";
const WHERE = "enterprise = $2 AND site = $3 AND area = $4 AND line = $5 AND machine = $6";

export interface NextEvents {
  /** The first state row at or after the instant whose state differs from the one running then; null: none yet; undefined: not known. */
  stateChange: number | null | undefined;
  /** The first count sample at or after the instant, if any. */
  countSample: number | undefined;
}

export async function nextEventsAfter(pool: pg.Pool, p: MachinePath, afterMs: number): Promise<NextEvents> {
  const args = [new Date(afterMs).toISOString(), p.enterprise, p.site, p.area, p.line, p.machine];
  const [cur, count] = await Promise.all([
    pool.query<{ state_key: string | number | null }>(
      `SELECT state_key FROM ${TABLES.state} WHERE ts < $1 AND ${WHERE} LATEST ON ts PARTITION BY ${PATH}`,
      args,
    ),
    pool.query<{ ts: Date }>(`SELECT ts FROM ${TABLES.counts} WHERE ts >= $1 AND ${WHERE} LIMIT 1`, args),
  ]);
  const countSample = count.rows[0]?.ts.getTime();
  const key = cur.rows[0]?.state_key;
  // no state before: the first row after the instant is the change; a row without a key (written
  // before the column existed) cannot be compared
  if (cur.rows.length > 0 && (key === null || key === undefined)) return { stateChange: undefined, countSample };
  const next =
    cur.rows.length === 0
      ? await pool.query<{ ts: Date }>(`SELECT ts FROM ${TABLES.state} WHERE ts >= $1 AND ${WHERE} LIMIT 1`, args)
      : await pool.query<{ ts: Date }>(`SELECT ts FROM ${TABLES.state} WHERE ts >= $1 AND ${WHERE} AND (state_key IS NULL OR state_key != $7) LIMIT 1`, [
          ...args,
          String(key),
        ]);
  return { stateChange: next.rows[0]?.ts.getTime() ?? null, countSample };
}

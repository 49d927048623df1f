// The late-telemetry marks (table oee_late) the ingest writes and the OEE late scan reads.
import type pg from "pg";
import { TABLES } from "./tables.ts";

/** The minutes (epoch ms) of the marks of these enterprises' machines received after `sinceMs`. */
export async function lateMarksSince(pool: pg.Pool, enterprises: readonly string[], sinceMs: number): Promise<number[]> {
  if (enterprises.length === 0) return [];
  const list = enterprises.map((_e, i) => `$${i + 2}`).join(", ");
  const r = await pool.query<{ ts: Date }>(`SELECT DISTINCT ts FROM ${TABLES.oeeLate} WHERE received_at > $1 AND enterprise IN (${list})`, [
    new Date(sinceMs).toISOString(),
    ...enterprises,
  ]);
  return r.rows.map((x) => x.ts.getTime());
}

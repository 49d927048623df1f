// The late-telemetry marks (table oee_late) the ingest writes and the OEE late scan reads.
import type pg from "pg";
import type { MachinePath } from "#lib/contract/identity.ts";
import { TABLES } from "./tables.ts";

export interface LateMark {
  /** The event minute (epoch ms). */
  ts: number;
  machine: MachinePath;
}

/** The marks (machine and event minute) of these enterprises' machines received after `sinceMs`. */
export async function lateMarksSince(pool: pg.Pool, enterprises: readonly string[], sinceMs: number): Promise<LateMark[]> {
  if (enterprises.length === 0) return [];
  const list = enterprises.map((_e, i) => `$${i + 2}`).join(", ");
  const r = await pool.query<{ ts: Date } & MachinePath>(
    `SELECT DISTINCT ts, enterprise, site, area, line, machine FROM ${TABLES.oeeLate} WHERE received_at > $1 AND enterprise IN (${list})`,
    [new Date(sinceMs).toISOString(), ...enterprises],
  );
  return r.rows.map((x) => ({ ts: x.ts.getTime(), machine: { enterprise: x.enterprise, site: x.site, area: x.area, line: x.line, machine: x.machine } }));
}

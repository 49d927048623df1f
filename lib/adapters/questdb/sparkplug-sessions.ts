// The Sparkplug host application's checkpoints (TABLES.sparkplugSessions): the latest session of each edge node
// of one host id, read by a starting ingest worker. The rows are written with the ingest batches.
import { questPool, waitWalApplied } from "./pg.ts";
import { TABLES } from "./tables.ts";

export interface StoredSession {
  /** group/edge node */
  node: string;
  /** JSON of the session; empty when the edge node died. */
  session: string;
  /** The checkpoint's timestamp (µs): a restarted worker writes later ones, whatever its clock says. */
  micros: number;
}

export async function loadSparkplugSessions(pgUrl: string, password: string | undefined, host: string): Promise<StoredSession[]> {
  const pool = questPool(pgUrl, password, 1);
  try {
    // what the last worker wrote is committed; wait until it is applied (queryable)
    await waitWalApplied(pool, [TABLES.sparkplugSessions], 30_000);
    const { rows } = await pool.query<{ node: string; session: string | null; micros: string }>(
      `SELECT node, session, cast(ts AS LONG) micros FROM ${TABLES.sparkplugSessions} WHERE host = $1 LATEST ON ts PARTITION BY node`,
      [host],
    );
    return rows.map((r) => ({ node: r.node, session: r.session ?? "", micros: Number(r.micros) }));
  } finally {
    await pool.end();
  }
}

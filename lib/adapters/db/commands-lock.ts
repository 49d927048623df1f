// One active command service per database: a PostgreSQL advisory lock held on a connection of its
// own, which also LISTENs for the NOTIFY that wakes the service. The lock lives as long as that
// connection: when it breaks, another service may lead now, and the caller must stop sending.
import pRetry from "p-retry";
import pg from "pg";
import type { Logger } from "pino";

/** pg advisory lock key: one active command service per database; others stand by. */
const LEADER_LOCK = 72707370;
/** How often a standby asks for the lock again. */
const STANDBY_POLL_MS = 2000;

export interface CommandLeadership {
  /** Runs `fn` on every NOTIFY on `channel` (on the connection that holds the lock). */
  listen(channel: string, fn: () => void): Promise<void>;
  /** Closes the connection, which releases the lock. */
  end(): Promise<void>;
}

class Standby extends Error {
  override name = "Standby";
}

/**
 * Connects and waits until this process holds the lock (a standby polls every 2 s). `onLost` is
 * called when the connection that holds the lock fails, from then on at any time.
 */
export async function takeCommandLeadership(o: { databaseUrl: string; log: Logger; onLost: (e: Error) => void }): Promise<CommandLeadership> {
  const db = new pg.Client({ connectionString: o.databaseUrl });
  await db.connect();
  db.on("error", o.onLost);
  // p-retry retries only the refusal (Standby), at a fixed pace and for ever; a database error ends the wait
  await pRetry(
    async () => {
      const r = await db.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [LEADER_LOCK]);
      if (!r.rows[0]?.ok) throw new Standby("another command service holds the lock");
    },
    {
      retries: Number.POSITIVE_INFINITY,
      factor: 1,
      minTimeout: STANDBY_POLL_MS,
      randomize: false,
      shouldRetry: ({ error }) => error instanceof Standby,
      onFailedAttempt: ({ error, attemptNumber }) => {
        if (error instanceof Standby && attemptNumber === 1) o.log.info("another command service is active on this database; standing by");
      },
    },
  );
  return {
    async listen(channel, fn) {
      await db.query(`LISTEN ${channel}`);
      db.on("notification", fn);
    },
    end: () => db.end(),
  };
}

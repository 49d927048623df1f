// `andon demo reset`: the demo plant's data goes (QuestDB's rows, the plant's records in PostgreSQL,
// Andon's keys in Redis, the history marker), so the start that follows fills a fresh week, as on
// the first start. The asset model, accounts, API tokens and the audit log of real people stay.
import { rmSync } from "node:fs";
import { userInfo } from "node:os";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { clearPlantRecords } from "#lib/adapters/db/demo-actions.ts";
import { questPool } from "#lib/adapters/questdb/pg.ts";
import { truncateAndonTables } from "#lib/adapters/questdb/truncate.ts";
import { deleteKeysUnder, redisConnection } from "#lib/adapters/queues/redis.ts";
import type { Config } from "#lib/platform/config.ts";
import { historyMarkerFile } from "./demo-history.ts";
import { removePulses } from "./presence.ts";

/** What a reset deletes, for the confirmation prompt. */
export const RESET_WHAT =
  "every row of telemetry, dead letters and OEE results in QuestDB; the commands, alerts, downtime reasons and OEE cursors in PostgreSQL; " +
  "the demo people's audit entries; Andon's queues and detector baselines in Redis (QUEUE_PREFIX); the history marker and the simulator's pulse. " +
  "The asset model, users, API tokens and the rest of the audit log stay.";

/** Deletes the demo plant's data. Nothing of Andon's may be running against these services. */
export async function resetDemo(cfg: Config, say: (m: string) => void): Promise<void> {
  const pool = questPool(cfg.QUESTDB_PG_URL, cfg.QUESTDB_PG_PASSWORD);
  try {
    const tables = await truncateAndonTables(pool);
    say(`demo reset: QuestDB tables emptied (${tables.join(", ")})`);
  } finally {
    await pool.end();
  }
  const gone = await clearPlantRecords(prismaFor(cfg.DATABASE_URL), `${userInfo().username} (andon demo reset)`);
  say(
    `demo reset: PostgreSQL ${Object.entries(gone)
      .map(([k, n]) => `${n} ${k}`)
      .join(", ")} deleted`,
  );
  const redis = redisConnection(cfg, { maxRetriesPerRequest: 2 });
  let keys = 0;
  try {
    // every key of this stack's (queues, schedules, cursors, detector baselines) and no one else's, on every master of a cluster
    keys = await deleteKeysUnder(redis, cfg.QUEUE_PREFIX);
  } finally {
    redis.disconnect();
  }
  say(`demo reset: ${keys} Redis keys under ${cfg.QUEUE_PREFIX} deleted`);
  rmSync(historyMarkerFile(cfg.ANDON_HOME), { force: true });
  // with the data gone, a crashed run's last pulse would mark the machines unknown inside the new week of history
  removePulses(cfg.ANDON_HOME);
}

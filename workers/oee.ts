// OEE roll-up worker process: upserts the job schedulers and computes the buckets they ask for.
import { prismaFor } from "#lib/adapters/db/client.ts";
import { oeeCursorStore, oeeCursors } from "#lib/adapters/db/oee-cursor.ts";
import { startMetricsServer } from "#lib/adapters/http/metrics-server.ts";
import { questPool } from "#lib/adapters/questdb/pg.ts";
import { ensureQuestSchema } from "#lib/adapters/questdb/schema.ts";
import { QuestWriter } from "#lib/adapters/questdb/writer.ts";
import { keepOeeSchedulers, oeeQueue, redisWatermark } from "#lib/adapters/queues/oee.ts";
import { redisConnection } from "#lib/adapters/queues/redis.ts";
import type { RefusedOeeRow } from "#lib/contract/jobs/oee.ts";
import { databaseJobDeps, oeeWorker } from "#lib/features/oee/jobs.ts";
import { oeeMetrics } from "#lib/features/oee/metrics.ts";
import { config } from "#lib/platform/config.ts";
import { createLogger } from "#lib/platform/log.ts";
import { onShutdown, runMain } from "#lib/platform/process.ts";

runMain(async () => {
  const cfg = config();
  const log = createLogger("oee", cfg.LOG_LEVEL);
  const prisma = prismaFor(cfg.DATABASE_URL);
  const pool = questPool(cfg.QUESTDB_PG_URL, cfg.QUESTDB_PG_PASSWORD);
  const writer = new QuestWriter({ httpUrl: cfg.QUESTDB_HTTP_URL });
  const connection = redisConnection(cfg, { maxRetriesPerRequest: null });
  await ensureQuestSchema(cfg.QUESTDB_HTTP_URL);
  const queue = oeeQueue(connection, cfg.QUEUE_PREFIX);
  await keepOeeSchedulers(queue, connection, (e) => log.warn({ err: e.message }, "could not upsert the OEE schedulers; tried again on the next reconnect"));
  connection.on("ready", () => log.info("Redis connection ready"));
  connection.on("close", () => log.warn("Redis connection closed; reconnecting"));
  const watermark = redisWatermark(connection, cfg.QUEUE_PREFIX);
  const cursor = oeeCursorStore(prisma, cfg.QUEUE_PREFIX);
  const metrics = oeeMetrics(() => oeeCursors(prisma, cfg.QUEUE_PREFIX));
  const server = await startMetricsServer(metrics.registry, cfg.OEE_METRICS_PORT);
  // a row QuestDB will never take is dead-lettered and the job goes on (lib/features/oee/refused.ts): said loudly here
  const onRefused = (refused: { row: RefusedOeeRow; deadLettered: boolean }[]) => {
    for (const { row, deadLettered } of refused) {
      log.error(
        { ...row, ...(row.level === "machine" ? { machine: row.key } : {}), deadLettered },
        deadLettered
          ? "QuestDB refused an OEE row for good: dead-lettered (ingest page), the job's other rows were written"
          : "QuestDB refused an OEE row and its dead letter: only this log has it, the job's other rows were written",
      );
    }
  };
  const deps = databaseJobDeps(prisma, { pool, writer, watermark, cursor, onRefused });
  const worker = oeeWorker(connection, deps, cfg.QUEUE_PREFIX, cfg.OEE_JOB_LOCK_MS);
  worker.on("error", (e) => log.warn({ err: e.message }, "OEE worker error (Redis away?); it goes on when Redis is back"));
  queue.on("error", (e) => log.warn({ err: e.message }, "OEE queue error (Redis away?)"));
  worker.on("completed", (job, r) => {
    metrics.jobDone(r);
    log.info({ job: job.name, data: job.data, result: r }, "OEE buckets written");
  });
  worker.on("failed", (job, e) => {
    metrics.jobFailed(String(job?.data?.kind ?? "unknown"));
    log.error({ job: job?.name, data: job?.data, err: e.message }, "OEE job failed; BullMQ retries it");
  });
  log.info({ metrics: server.port }, "OEE roll-up worker started");
  onShutdown(async () => {
    await worker.close();
    await server.close();
    await queue.close();
    await writer.close();
    await pool.end();
    connection.disconnect();
    await prisma.$disconnect();
  }, log);
});

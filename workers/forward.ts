// Kafka forwarder process (started by `andon up` when KAFKA_BROKERS is set): telemetry, closed OEE
// buckets, alerts and command events to Kafka, at least once, from a position committed in PostgreSQL.
import { prismaFor } from "#lib/adapters/db/client.ts";
import { forwardCursorStore } from "#lib/adapters/db/forward.ts";
import { startMetricsServer } from "#lib/adapters/http/metrics-server.ts";
import { ensureTopics, kafkaSink } from "#lib/adapters/kafka/producer.ts";
import { questPool } from "#lib/adapters/questdb/pg.ts";
import { ensureQuestSchema } from "#lib/adapters/questdb/schema.ts";
import { forwardSources, startForwarder } from "#lib/features/forward/forwarder.ts";
import { forwardMetrics } from "#lib/features/forward/metrics.ts";
import { config } from "#lib/platform/config.ts";
import { createLogger } from "#lib/platform/log.ts";
import { onShutdown, runMain } from "#lib/platform/process.ts";

runMain(async () => {
  const cfg = config();
  const log = createLogger("forward", cfg.LOG_LEVEL);
  if (!cfg.KAFKA_BROKERS) throw new Error("KAFKA_BROKERS is not set: nothing to forward to (docs/deployment.md)");
  const kafka = { brokers: cfg.KAFKA_BROKERS, clientId: cfg.KAFKA_CLIENT_ID };
  const prisma = prismaFor(cfg.DATABASE_URL);
  const pool = questPool(cfg.QUESTDB_PG_URL, cfg.QUESTDB_PG_PASSWORD);
  await ensureQuestSchema(cfg.QUESTDB_HTTP_URL);
  const sources = forwardSources({ pool, prisma }, cfg.KAFKA_TOPIC_PREFIX);
  await ensureTopics(
    kafka,
    sources.map((s) => s.topic),
  );
  const sink = kafkaSink(kafka);
  let positions = () => new Map<string, number>();
  const metrics = forwardMetrics(() => positions());
  const server = await startMetricsServer(metrics.registry, cfg.FORWARD_METRICS_PORT);
  const forwarder = await startForwarder({
    sources,
    sink,
    cursor: forwardCursorStore(prisma),
    batchRows: cfg.FORWARD_BATCH_ROWS,
    settleMs: cfg.FORWARD_SETTLE_MS,
    pollMs: cfg.FORWARD_POLL_MS,
    metrics,
    log,
  });
  positions = forwarder.positions;
  log.info({ brokers: cfg.KAFKA_BROKERS, topics: sources.map((s) => s.topic), metricsPort: server.port }, "forwarder started");
  onShutdown(async () => {
    await forwarder.stop();
    await sink.close();
    await server.close();
    await pool.end();
    await prisma.$disconnect();
  }, log);
});

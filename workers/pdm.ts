// Predictive-maintenance worker process: scans vibration features every 30 s, and waveform snapshots
// every 30 s in a sandboxed child process (features, then detectors); raises and clears alerts.
import { fileURLToPath } from "node:url";
import mqtt from "mqtt";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { loadMachines } from "#lib/adapters/db/plant.ts";
import { mqttOptions } from "#lib/adapters/mqtt/options.ts";
import { questPool } from "#lib/adapters/questdb/pg.ts";
import { ensureQuestSchema } from "#lib/adapters/questdb/schema.ts";
import { pdmQueue, pdmWaveformQueue, pdmWorker, sandboxedWaveformWorker, upsertPdmScheduler, upsertWaveformScheduler } from "#lib/adapters/queues/pdm.ts";
import { redisConnection } from "#lib/adapters/queues/redis.ts";
import { forecastHook } from "#lib/features/pdm/rul.ts";
import { scanVibration } from "#lib/features/pdm/scan.ts";
import { config } from "#lib/platform/config.ts";
import { createLogger } from "#lib/platform/log.ts";
import { onShutdown, runMain } from "#lib/platform/process.ts";
import { withTimeout } from "#lib/platform/timeout.ts";

/** The waveform queue's sandboxed processor: BullMQ forks a child process that runs this file. */
const WAVEFORM_PROCESSOR = fileURLToPath(new URL("./pdm-waveform.processor.ts", import.meta.url));

runMain(async () => {
  const cfg = config();
  const log = createLogger("pdm", cfg.LOG_LEVEL);
  const prisma = prismaFor(cfg.DATABASE_URL);
  const pool = questPool(cfg.QUESTDB_PG_URL, cfg.QUESTDB_PG_PASSWORD);
  const connection = redisConnection(cfg, { maxRetriesPerRequest: null });
  const client = await mqtt.connectAsync(cfg.MQTT_URL, mqttOptions(cfg, { clientId: `andon-pdm-${process.pid}`, clean: true }));
  await ensureQuestSchema(cfg.QUESTDB_HTTP_URL);
  const queue = pdmQueue(connection, cfg.QUEUE_PREFIX);
  await upsertPdmScheduler(queue);
  const waveformQueue = pdmWaveformQueue(connection, cfg.QUEUE_PREFIX);
  await upsertWaveformScheduler(waveformQueue);
  // Redis restarted without persistence comes back without schedulers: put them back on every (re)connection
  connection.on(
    "ready",
    () =>
      void Promise.all([upsertPdmScheduler(queue), upsertWaveformScheduler(waveformQueue)]).catch((e: Error) =>
        log.warn({ err: e.message }, "could not upsert the PdM schedulers; tried again on the next reconnect"),
      ),
  );
  for (const q of [queue, waveformQueue]) q.on("error", (e) => log.warn({ err: e.message }, "PdM queue error (Redis away?)"));
  const waveformWorker = sandboxedWaveformWorker(connection, cfg.QUEUE_PREFIX, WAVEFORM_PROCESSOR);
  waveformWorker.on("error", (e) => log.warn({ err: e.message }, "waveform worker error (Redis away?)"));
  waveformWorker.on("completed", (_job, r) => {
    if (r.raised || r.cleared || r.skipped) log.info(r, "waveform snapshots scanned");
  });
  waveformWorker.on("failed", (_job, e) => log.error({ err: e.message }, "waveform scan failed; BullMQ retries it"));
  // the alerts' remaining-useful-life forecasts, read at most once a minute per machine
  let machines: Awaited<ReturnType<typeof loadMachines>> = [];
  const forecast = forecastHook(pool, () => machines);
  const worker = pdmWorker(
    connection,
    async () => {
      machines = await loadMachines(prisma);
      return scanVibration({
        pool,
        machines,
        store: connection,
        keyPrefix: cfg.QUEUE_PREFIX,
        // a publish waits at most 5 s (the broker away): the alert is saved, the scan goes on, and the
        // message stays in the client's queue until the broker is back
        alerts: { prisma, forecast, publish: async (t, p) => void (await withTimeout(client.publishAsync(t, p, { qos: 1 }), 5000, `publishing on ${t}`)) },
      });
    },
    cfg.QUEUE_PREFIX,
  );
  worker.on("completed", (_job, r) => {
    if (r.raised || r.cleared) log.info(r, "alerts raised or cleared");
  });
  worker.on("failed", (_job, e) => log.error({ err: e.message }, "vibration scan failed; BullMQ retries it"));
  worker.on("error", (e) => log.warn({ err: e.message }, "vibration worker error (Redis away?)"));
  log.info("predictive-maintenance worker started");
  onShutdown(async () => {
    await worker.close();
    await waveformWorker.close();
    await queue.close();
    await waveformQueue.close();
    await client.endAsync();
    await pool.end();
    connection.disconnect();
    await prisma.$disconnect();
  }, log);
});

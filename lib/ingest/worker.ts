// The ingest worker: MQTT 5 shared subscription (QoS 1, persistent session) -> validated rows ->
// QuestDB, PUBACK only once durable. Entry point: workers/ingest.ts.
import mqtt, { type IPublishPacket, type MqttClient } from "mqtt";
import type { Logger } from "pino";
import type { Config } from "../config.ts";
import { sharedFilter, telemetryFilters } from "../contract/topics.ts";
import { type MetricsServer, startMetricsServer } from "../http/metrics-server.ts";
import { deferPubacks } from "../mqtt/deferred-acks.ts";
import { mqttOptions, redactUrl } from "../mqtt/options.ts";
import { ensureQuestSchema } from "../questdb/schema.ts";
import { QuestWriter } from "../questdb/writer.ts";
import { IngestBatcher } from "./batcher.ts";
import { mapMessage } from "./mapping.ts";
import { createIngestMetrics, type IngestMetrics } from "./metrics.ts";

export interface IngestWorkerDeps {
  config: Config;
  log: Logger;
  /** The machine paths of the asset model (enterprise/site/area/line/machine). */
  loadMachineKeys: () => Promise<Set<string>>;
}

export interface IngestWorker {
  metrics: IngestMetrics;
  metricsPort: number;
  /** Graceful: stop taking new messages, write and acknowledge what was received, disconnect. */
  stop(timeoutMs?: number): Promise<void>;
}

async function retryUntil<T>(what: string, log: Logger, fn: () => Promise<T>, isStopped: () => boolean): Promise<T> {
  for (let delay = 500; ; delay = Math.min(delay * 2, 10_000)) {
    try {
      return await fn();
    } catch (e) {
      if (isStopped()) throw e;
      log.warn({ err: (e as Error).message, retryInMs: delay }, `${what} failed; retrying`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

export async function startIngestWorker(deps: IngestWorkerDeps): Promise<IngestWorker> {
  const { config: cfg, log } = deps;
  let stopped = false;
  const metrics = createIngestMetrics();

  // Tables first: ILP would otherwise auto-create them without DEDUP keys.
  await retryUntil(
    "creating QuestDB tables",
    log,
    () => ensureQuestSchema(cfg.QUESTDB_HTTP_URL),
    () => stopped,
  );
  let machines = await retryUntil("loading the asset model", log, deps.loadMachineKeys, () => stopped);
  log.info({ machines: machines.size }, "asset model loaded");
  const refresh = setInterval(() => {
    deps
      .loadMachineKeys()
      .then((m) => {
        machines = m;
      })
      .catch((e: Error) => log.warn({ err: e.message }, "asset model refresh failed; keeping the last one"));
  }, cfg.INGEST_ASSET_REFRESH_S * 1000);

  const client: MqttClient = mqtt.connect(
    cfg.MQTT_URL,
    mqttOptions(cfg, {
      clientId: cfg.INGEST_CLIENT_ID,
      clean: false,
      properties: {
        sessionExpiryInterval: cfg.INGEST_SESSION_EXPIRY_S,
        receiveMaximum: cfg.INGEST_RECEIVE_MAXIMUM,
        maximumPacketSize: 4 * 1024 * 1024,
      },
      resubscribe: false,
    }),
  );
  const acks = deferPubacks(client);
  const writer = new QuestWriter({ httpUrl: cfg.QUESTDB_HTTP_URL });
  const batcher = new IngestBatcher(writer, { batchRows: cfg.INGEST_BATCH_ROWS, flushMs: cfg.INGEST_FLUSH_MS }, metrics, log, acks.batch);
  // prom-client hashes a label object on every inc(); bind the children once
  const receivedChildren = new Map<string, ReturnType<typeof metrics.received.labels>>();
  const receivedCounter = (channel: string) => {
    let c = receivedChildren.get(channel);
    if (!c) {
      c = metrics.received.labels(channel);
      receivedChildren.set(channel, c);
    }
    return c;
  };
  const filters = telemetryFilters(cfg.INGEST_ENTERPRISE).map((f) => sharedFilter(cfg.INGEST_SHARE_GROUP, f));

  client.on("connect", (connack) => {
    metrics.connected.set(1);
    log.info({ broker: redactUrl(cfg.MQTT_URL), clientId: cfg.INGEST_CLIENT_ID, sessionPresent: connack.sessionPresent }, "connected to broker");
    if (stopped) return;
    metrics.subscribed.set(0);
    client.subscribe(filters, { qos: 1 }, (err, granted) => {
      if (err) log.error({ err: err.message }, "subscribe failed");
      const refused = granted?.filter((g) => g.qos > 2);
      if (refused?.length) log.error({ refused }, "broker refused subscriptions");
      else if (!err) metrics.subscribed.set(1);
    });
  });
  client.on("close", () => {
    metrics.connected.set(0);
    metrics.subscribed.set(0);
  });
  client.on("error", (e) => log.error({ err: e.message }, "broker connection error"));

  client.on("message", (topic, payload, packet: IPublishPacket) => {
    if (stopped) return;
    const mapped = mapMessage(topic, payload, {
      nowMicros: Date.now() * 1000,
      maxFutureMicros: cfg.INGEST_MAX_FUTURE_S * 1e6,
      maxAgeMicros: cfg.INGEST_MAX_AGE_S * 1e6,
      isKnownMachine: (k) => machines.has(k),
      worker: cfg.INGEST_CLIENT_ID,
    });
    const ack = acks.ackerFor(packet);
    receivedCounter(mapped.ok ? mapped.channel : "invalid").inc();
    if (mapped.ok) {
      batcher.add({ rows: mapped.rows, ack, eventMicros: mapped.rows[0]?.ts });
    } else {
      const kind = mapped.reason.split(/[ :]/)[0] ?? "invalid";
      metrics.deadLettered.inc({ kind });
      log.warn({ topic, reason: mapped.reason, bytes: payload.length }, "dead-lettered");
      batcher.add({ rows: [mapped.deadLetter], ack });
    }
  });

  let server: MetricsServer | undefined;
  server = await startMetricsServer(metrics.registry, cfg.INGEST_METRICS_PORT, () => ({
    status: client.connected ? "ok" : "degraded",
    connected: client.connected,
    pending: batcher.pendingMessages,
    heldAcks: acks.held,
  }));
  log.info({ port: server.port }, "metrics on /metrics");

  return {
    metrics,
    get metricsPort() {
      return server?.port ?? 0;
    },
    async stop(timeoutMs = 30_000) {
      if (stopped) return;
      stopped = true;
      clearInterval(refresh);
      log.info({ pending: batcher.pendingMessages }, "draining");
      // The subscription stays (the persistent session keeps queueing while we are away). Messages that
      // arrive from now on are not taken and not acknowledged: the broker redelivers them to this session.
      const drained = await Promise.race([batcher.drain().then(() => true), new Promise<false>((r) => setTimeout(() => r(false), timeoutMs))]);
      batcher.stop();
      if (!drained) log.warn({ pending: batcher.pendingMessages }, "drain timed out; unacknowledged messages will be redelivered");
      await new Promise<void>((r) => client.end(false, {}, () => r()));
      await writer.close();
      await server?.close();
      server = undefined;
      log.info("stopped");
    },
  };
}

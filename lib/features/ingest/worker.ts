// The ingest worker: MQTT 5 shared subscription (QoS 1, persistent session) -> validated rows ->
// QuestDB, PUBACK only once durable. Entry point: workers/ingest.ts.
import mqtt, { type IPublishPacket, type MqttClient } from "mqtt";
import type { Logger } from "pino";
import { type MetricsServer, startMetricsServer } from "#lib/adapters/http/metrics-server.ts";
import { deferPubacks } from "#lib/adapters/mqtt/deferred-acks.ts";
import { holdWhileFull } from "#lib/adapters/mqtt/flow-control.ts";
import { onceMoreForNewSession } from "#lib/adapters/mqtt/new-session.ts";
import { mqttOptions, redactUrl } from "#lib/adapters/mqtt/options.ts";
import { ensureQuestSchema } from "#lib/adapters/questdb/schema.ts";
import { loadSparkplugSessions } from "#lib/adapters/questdb/sparkplug-sessions.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { QuestWriter } from "#lib/adapters/questdb/writer.ts";
import { MQTT_FORWARD_HEADROOM_BYTES, MQTT_MAX_PACKET_BYTES } from "#lib/contract/limits.ts";
import { bounded } from "#lib/contract/preview.ts";
import { isSparkplugTopic } from "#lib/contract/sparkplug.ts";
import { sharedFilter, telemetryFilters } from "#lib/contract/topics.ts";
import { umhEnterpriseFilters } from "#lib/contract/umh.ts";
import type { Config } from "#lib/platform/config.ts";
import { IngestBatcher } from "./batcher.ts";
import { deadLetterRow, type MappingContext, mapMessage } from "./mapping.ts";
import { createIngestMetrics, type IngestMetrics, memoryMb } from "./metrics.ts";
import { retryUntil } from "./retry.ts";
import { sparkplugApp } from "./sparkplug-app.ts";
import type { InFlightCommand } from "./sparkplug-commands.ts";
import type { StoredMapping } from "./sparkplug-mapping.ts";

export interface IngestWorkerDeps {
  config: Config;
  log: Logger;
  /** The machine paths of the asset model (enterprise/site/area/line/machine). */
  loadMachineKeys: () => Promise<Set<string>>;
  /** The admins' Sparkplug B mapping; needed when INGEST_SPARKPLUG_GROUPS is set. */
  loadSparkplugMappings?: () => Promise<StoredMapping[]>;
  /** A machine's command in flight, answered when its Sparkplug device reports the commanded value. */
  inFlightCommand?: (machine: string) => Promise<InFlightCommand | undefined>;
}

export interface IngestWorker {
  metrics: IngestMetrics;
  metricsPort: number;
  /**
   * Resolves once the broker has granted the worker's subscriptions on a session that holds them. Before that a
   * new session has no subscription, and what is published is not queued for it (a test that publishes
   * as soon as the worker is started races the SUBACK; HiveMQ grants later than Mosquitto).
   */
  subscribed: Promise<void>;
  /** Graceful: stop taking new messages, write and acknowledge what was received, disconnect. */
  stop(timeoutMs?: number): Promise<void>;
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
  const spb = cfg.INGEST_SPARKPLUG_GROUPS.length
    ? sparkplugApp(cfg, log, deps.loadSparkplugMappings ?? (async () => []), deps.inFlightCommand, (host) =>
        loadSparkplugSessions(cfg.QUESTDB_PG_URL, cfg.QUESTDB_PG_PASSWORD, host),
      )
    : undefined;
  if (spb) await retryUntil("loading the Sparkplug mapping", log, spb.refresh, () => stopped);
  if (spb) await retryUntil("resuming the Sparkplug sessions", log, spb.restore, () => stopped);
  const refresh = setInterval(() => {
    deps
      .loadMachineKeys()
      .then((m) => {
        machines = m;
      })
      .catch((e: Error) => log.warn({ err: e.message }, "asset model refresh failed; keeping the last one"));
    spb?.refresh().catch((e: Error) => log.warn({ err: e.message }, "Sparkplug mapping refresh failed; keeping the last one"));
  }, cfg.INGEST_ASSET_REFRESH_S * 1000);

  const client: MqttClient = mqtt.connect(
    cfg.MQTT_URL,
    mqttOptions(cfg, {
      clientId: cfg.INGEST_CLIENT_ID,
      clean: false,
      properties: {
        sessionExpiryInterval: cfg.INGEST_SESSION_EXPIRY_S,
        receiveMaximum: cfg.INGEST_RECEIVE_MAXIMUM,
        // what the generated brokers accept from publishers (max_packet_size), plus room for the
        // properties a broker adds when it forwards: a message the broker took is never too large for us
        maximumPacketSize: MQTT_MAX_PACKET_BYTES + MQTT_FORWARD_HEADROOM_BYTES,
      },
      resubscribe: false,
      ...(spb ? { will: spb.will } : {}),
    }),
  );
  const acks = deferPubacks(client);
  // the client's buffer holds the largest batch with room to spare; a single message is far smaller
  // (MQTT_MAX_PACKET_BYTES, rows bounded by the contract)
  const writer = new QuestWriter({ httpUrl: cfg.QUESTDB_HTTP_URL, maxBufferBytes: 2 * cfg.INGEST_BATCH_BYTES + 2 * MQTT_MAX_PACKET_BYTES });
  const batcher = new IngestBatcher(
    writer,
    { batchRows: cfg.INGEST_BATCH_ROWS, batchBytes: cfg.INGEST_BATCH_BYTES, flushMs: cfg.INGEST_FLUSH_MS },
    metrics,
    log,
    acks.batch,
    (m, reason) =>
      m.source && m.rows[0]?.table !== TABLES.deadLetters ? deadLetterRow(m.source.topic, m.source.payload, reason, mappingContext()) : undefined,
  );
  // at most INGEST_RECEIVE_MAXIMUM messages and about INGEST_MAX_HELD_BYTES held, whatever the broker
  // sends (lib/adapters/mqtt/flow-control.ts): the receive maximum alone bounds a count, not memory
  const flow = holdWhileFull(client, () => batcher.pendingMessages >= cfg.INGEST_RECEIVE_MAXIMUM || batcher.heldBytes >= cfg.INGEST_MAX_HELD_BYTES);
  batcher.onSettled(() => flow.release());
  // a batch durable after its connection closed sent no PUBACK: its messages come again, the sessions stay before them
  if (spb) batcher.checkpointWith(spb.checkpoint, (rows, on) => (on === undefined || (on === acks.connection && client.connected)) && spb.durable(rows));
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
  // Sparkplug's filters are not shared: the host application follows each edge node's sequence
  const filters = [
    ...[...telemetryFilters(cfg.INGEST_ENTERPRISE), ...(cfg.INGEST_UMH ? umhEnterpriseFilters(cfg.INGEST_ENTERPRISE) : [])].map((f) =>
      sharedFilter(cfg.INGEST_SHARE_GROUP, f),
    ),
    ...(spb?.filters ?? []),
  ];

  let markSubscribed = () => {};
  const subscribed = new Promise<void>((resolve) => {
    markSubscribed = resolve;
  });
  const onceMore = onceMoreForNewSession(client, () => stopped, log);
  client.on("connect", (connack) => {
    metrics.connected.set(1);
    // a resumed session redelivers what the last connection did not acknowledge: drop our copies
    if (connack.sessionPresent) {
      batcher.connectionResumed(acks.connection);
      spb?.rewind(); // the Sparkplug sessions go back to what is durable before the broker redelivers the rest
    }
    log.info({ broker: redactUrl(cfg.MQTT_URL), clientId: cfg.INGEST_CLIENT_ID, sessionPresent: connack.sessionPresent }, "connected to broker");
    if (stopped) return;
    metrics.subscribed.set(0);
    client.subscribe(filters, { qos: 1 }, (err, granted) => {
      if (err) log.error({ err: err.message }, "subscribe failed");
      const refused = granted?.filter((g) => g.qos > 2);
      if (refused?.length) log.error({ refused }, "broker refused subscriptions");
      else if (!err) {
        // a new session: once more with its subscriptions in place (lib/adapters/mqtt/new-session.ts)
        if (onceMore(connack.sessionPresent)) return;
        metrics.subscribed.set(1);
        markSubscribed();
      }
      if (!err) spb?.announce(client);
    });
  });
  client.on("close", () => {
    if (spb) spb.renew(client);
    metrics.connected.set(0);
    metrics.subscribed.set(0);
  });
  client.on("error", (e) => log.error({ err: e.message }, "broker connection error"));

  const mappingContext = (): MappingContext => ({
    nowMicros: Date.now() * 1000,
    maxFutureMicros: cfg.INGEST_MAX_FUTURE_S * 1e6,
    maxAgeMicros: cfg.INGEST_MAX_AGE_S * 1e6,
    isKnownMachine: (k: string) => machines.has(k),
    worker: cfg.INGEST_CLIENT_ID,
  });
  // one context for the synchronous mapping of every message, its clock set per message (not an object and a closure each)
  const sharedContext = mappingContext();
  const contextNow = () => {
    sharedContext.nowMicros = Date.now() * 1000;
    return sharedContext;
  };
  // One guard from the MQTT callback to the rows: whatever fails for one message dead-letters that
  // message (mapMessage never throws; this catches the rest), and no payload can stop the worker.
  // A message is handed to the batcher once, with one acknowledgement: a second PUBACK for its packet
  // id could acknowledge the next message the broker sends under that id before it is durable.
  client.on("message", (topic, payload, packet: IPublishPacket) => {
    if (stopped) return;
    const ack = acks.ackerFor(packet);
    const connection = acks.connection;
    let added = false;
    try {
      if (spb && isSparkplugTopic(topic)) {
        const out = spb.handle(topic, payload, mappingContext(), client);
        receivedCounter(out.rows.some((r) => r.table !== TABLES.deadLetters) ? "sparkplug" : "invalid").inc();
        if (out.deadReason) {
          metrics.deadLettered.inc({ kind: "Sparkplug" });
          log.warn({ topic: topic.slice(0, 300), reason: out.deadReason }, "dead-lettered");
        }
        added = true;
        // a message without rows (a command, a birth of unmapped metrics) is acknowledged with its batch too: in
        // order, once the checkpoint holding what it did to the edge node's session is durable
        batcher.add({ rows: out.rows, ack, eventMicros: out.rows[0]?.ts, connection, ...(out.rows.length ? { source: { topic, payload } } : {}) });
        return;
      }
      const mapped = mapMessage(topic, payload, contextNow());
      receivedCounter(mapped.ok ? mapped.channel : "invalid").inc();
      if (mapped.ok) {
        // a UMH message's values Andon does not store go to the dead letters beside its rows (lib/features/ingest/mapping.ts)
        const partial = mapped.rows.find((r) => r.table === TABLES.deadLetters);
        if (partial) {
          metrics.deadLettered.inc({ kind: "UMH" });
          const reason = partial.fields.find((f) => f.kind === "string" && f.name === "reason");
          log.warn({ topic: topic.slice(0, 300), reason: reason && "value" in reason ? reason.value : undefined }, "partly dead-lettered");
        }
        added = true;
        batcher.add({ rows: mapped.rows, ack, eventMicros: mapped.rows[0]?.ts, connection, source: { topic, payload } });
      } else {
        metrics.deadLettered.inc({ kind: mapped.reason.split(/[ :]/)[0] ?? "invalid" });
        log.warn({ topic: topic.slice(0, 300), reason: mapped.reason, bytes: payload.length }, "dead-lettered");
        added = true;
        batcher.add({ rows: [mapped.deadLetter], ack, connection });
      }
    } catch (e) {
      if (added) {
        log.error({ err: bounded(String((e as Error)?.stack ?? e), 2000) }, "message handler failed after the message was taken");
        return;
      }
      // not reached by any payload the fuzz suite found; kept so that a future bug cannot stop ingest
      try {
        metrics.deadLettered.inc({ kind: "internal" });
        log.error(
          { err: bounded(String((e as Error)?.stack ?? e), 2000), topic: topic.slice(0, 300), bytes: payload.length },
          "message handler failed; dead-lettered",
        );
        const reason = `internal error: ${bounded(String((e as Error)?.message ?? e), 300)}`;
        batcher.add({ rows: [deadLetterRow(topic, payload, reason, { ...mappingContext(), maxFutureMicros: 0, maxAgeMicros: 0 })], ack, connection });
      } catch (again) {
        // the batcher itself failed: nothing can be stored for this message; say so loudly and move on
        log.error({ err: bounded(String((again as Error)?.message ?? again), 500), topic: topic.slice(0, 300) }, "message lost: could not dead-letter it");
        metrics.dropped.inc();
        ack();
      }
    }
  });

  let server: MetricsServer | undefined;
  server = await startMetricsServer(metrics.registry, cfg.INGEST_METRICS_PORT, () => ({
    status: client.connected ? "ok" : "degraded",
    connected: client.connected,
    pending: batcher.pendingMessages,
    pendingMax: batcher.maxPendingMessages,
    heldBytes: batcher.heldBytes,
    readingHeld: flow.holding,
    heldAcks: acks.held,
    memoryMb: memoryMb(),
  }));
  log.info({ port: server.port }, "metrics on /metrics");

  return {
    metrics,
    subscribed,
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
      await spb?.retire(client);
      await new Promise<void>((r) => client.end(false, {}, () => r()));
      await writer.close();
      await server?.close();
      server = undefined;
      log.info("stopped");
    },
  };
}

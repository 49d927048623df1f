import { Counter, Gauge, Histogram, Registry } from "prom-client";

export type IngestMetrics = ReturnType<typeof createIngestMetrics>;

/** Prometheus metrics of one ingest worker, on a registry of its own. */
export function createIngestMetrics(registry = new Registry()) {
  return {
    registry,
    received: new Counter({ name: "andon_ingest_received_total", help: "MQTT messages received", labelNames: ["channel"], registers: [registry] }),
    rowsWritten: new Counter({ name: "andon_ingest_rows_written_total", help: "Rows durable in QuestDB", labelNames: ["table"], registers: [registry] }),
    deadLettered: new Counter({ name: "andon_ingest_dead_lettered_total", help: "Messages dead-lettered", labelNames: ["kind"], registers: [registry] }),
    refused: new Counter({
      name: "andon_ingest_refused_total",
      help: "Messages whose rows QuestDB refused for good (dead-lettered instead)",
      registers: [registry],
    }),
    dropped: new Counter({
      name: "andon_ingest_dropped_total",
      help: "Messages acknowledged without any row: QuestDB refused even their dead letter (logged)",
      registers: [registry],
    }),
    writeErrors: new Counter({ name: "andon_ingest_write_errors_total", help: "Failed QuestDB write attempts", registers: [registry] }),
    flushSeconds: new Histogram({
      name: "andon_ingest_flush_seconds",
      help: "Latency of one QuestDB batch write",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    lagSeconds: new Histogram({
      name: "andon_ingest_lag_seconds",
      help: "From the device's event timestamp to the row being durable",
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
      registers: [registry],
    }),
    pending: new Gauge({ name: "andon_ingest_pending_messages", help: "Messages received, not yet durable", registers: [registry] }),
    backpressure: new Gauge({ name: "andon_ingest_backpressure", help: "1 while QuestDB writes are failing and acks are held", registers: [registry] }),
    connected: new Gauge({ name: "andon_ingest_broker_connected", help: "1 while connected to the broker", registers: [registry] }),
    subscribed: new Gauge({
      name: "andon_ingest_subscribed",
      help: "1 once the broker granted the telemetry subscriptions (the session holds telemetry from then on)",
      registers: [registry],
    }),
  };
}

/** What the process's memory is made of (MiB): resident, the V8 heap in use and reserved, and buffers outside it. */
export function memoryMb() {
  const m = process.memoryUsage();
  const mb = (n: number) => Math.round(n / 1048576);
  return { rss: mb(m.rss), heapUsed: mb(m.heapUsed), heapTotal: mb(m.heapTotal), external: mb(m.external) };
}

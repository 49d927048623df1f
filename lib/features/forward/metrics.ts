// The forwarder's Prometheus metrics: how far behind each stream is, records sent, errors.
import { Counter, Gauge, Registry } from "prom-client";

export interface ForwardMetrics {
  registry: Registry;
  sent(topic: string, n: number): void;
  error(stream: string, stage: "read" | "send" | "commit"): void;
}

export function forwardMetrics(positions: () => Map<string, number>, now: () => number = Date.now): ForwardMetrics {
  const registry = new Registry();
  new Gauge({
    name: "andon_forward_lag_seconds",
    help: "How far behind the clock this stream's committed position is (rows stored since then are not yet in Kafka; includes FORWARD_SETTLE_MS)",
    labelNames: ["stream"],
    registers: [registry],
    collect() {
      for (const [stream, until] of positions()) this.set({ stream }, Math.max(0, (now() - until) / 1000));
    },
  });
  new Gauge({
    name: "andon_forward_position_seconds",
    help: "Every row of this stream stored up to this instant (Unix s) was acknowledged by Kafka",
    labelNames: ["stream"],
    registers: [registry],
    collect() {
      for (const [stream, until] of positions()) this.set({ stream }, until / 1000);
    },
  });
  const sent = new Counter({ name: "andon_forward_records_sent_total", help: "Records acknowledged by Kafka", labelNames: ["topic"], registers: [registry] });
  const errors = new Counter({
    name: "andon_forward_errors_total",
    help: "Failed reads (QuestDB, PostgreSQL), sends (Kafka) and commits; the batch is tried again",
    labelNames: ["stream", "stage"],
    registers: [registry],
  });
  return {
    registry,
    sent: (topic, n) => sent.inc({ topic }, n),
    error: (stream, stage) => errors.inc({ stream, stage }),
  };
}

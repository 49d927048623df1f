// Publishing a burst of past telemetry (the demo's history, the live simulator's catch-up to the clock)
// without losing any of it: QoS 1 with a bounded number unacknowledged, and, when the ingest worker's
// count of received messages can be read, never more than `maxAhead` messages ahead of it. A broker
// queues only so many messages for a subscriber and drops the rest (Mosquitto: max_queued_messages,
// 1000 by default).
import type { MqttClient } from "mqtt";
import { readMetric } from "#lib/adapters/http/metrics-server.ts";

export interface PacedMessage {
  topic: string;
  payload: string;
  /** the device time it carries */
  at: number;
}

export interface Pace {
  /** how many messages the consumer (the ingest worker) has received so far; NaN when unknown */
  received: () => Promise<number>;
  maxAhead: number;
}

/** Publishes the messages in order; resolves with their number once the broker acknowledged every one. */
export async function publishPaced(
  client: MqttClient,
  messages: Iterable<PacedMessage>,
  o: {
    window?: number;
    pace?: Pace;
    /** give up (throw) when the consumer has received nothing new for this long while the publisher waits for it */
    stallMs?: number;
    onPublished?: (published: number, m: PacedMessage) => void;
  } = {},
): Promise<number> {
  const window = o.window ?? 2000;
  let published = 0;
  let inFlight = 0;
  let failed: Error | undefined;
  let wake: (() => void) | undefined;
  let allowed = o.pace ? o.pace.maxAhead : Number.POSITIVE_INFINITY;
  for (const m of messages) {
    while (inFlight >= window) await new Promise<void>((r) => (wake = r));
    let progressAt = Date.now();
    while (o.pace && published + inFlight >= allowed) {
      const received = await o.pace.received();
      const next = (Number.isFinite(received) ? received : 0) + o.pace.maxAhead;
      if (next > allowed) {
        allowed = next;
        progressAt = Date.now();
      } else if (o.stallMs !== undefined && Date.now() - progressAt > o.stallMs)
        throw new Error(`the ingest worker received nothing new for ${Math.round(o.stallMs / 1000)} s (${published} published)`);
      if (published + inFlight >= allowed) await new Promise((r) => setTimeout(r, 20));
    }
    if (failed) throw failed;
    inFlight++;
    client.publish(m.topic, m.payload, { qos: 1 }, (err) => {
      if (err) failed ??= err;
      inFlight--;
      published++;
      wake?.();
    });
    o.onPublished?.(published, m);
  }
  while (inFlight > 0) await new Promise<void>((r) => (wake = r));
  if (failed) throw failed;
  return published;
}

/**
 * Pacing by the ingest worker's `andon_ingest_received_total` (its metrics on `port`), counted from
 * now; undefined when it cannot be read (INGEST_METRICS_PORT=0, or the worker is not up).
 */
export async function ingestPace(port: number, maxAhead: number): Promise<Pace | undefined> {
  const now = () => readMetric(port, "andon_ingest_received_total");
  const before = await now();
  if (!Number.isFinite(before)) return undefined;
  return { received: async () => (await now()) - before, maxAhead };
}

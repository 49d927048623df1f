// The paced publisher (lib/features/sim/paced.ts) on its own: never more than `maxAhead` messages ahead of
// what the consumer has received, and, with `stallMs`, an error instead of waiting forever when the
// consumer stops counting (an ingest worker restarted meanwhile counts from 0 again). The client is a
// stand-in that acknowledges every publish at once: the pacing is what is under test here; the real
// broker path is the first-start test's.
import type { MqttClient } from "mqtt";
import { describe, expect, it } from "vitest";
import { publishPaced } from "#lib/features/sim/paced.ts";

const acking = (sent: string[]) =>
  ({
    publish(topic: string, _payload: string, _o: unknown, cb: (err?: Error) => void) {
      sent.push(topic);
      setImmediate(() => cb());
    },
  }) as unknown as MqttClient;
const messages = (n: number) => Array.from({ length: n }, (_, i) => ({ topic: `t/${i}`, payload: "{}", at: i }));

describe("publishPaced", () => {
  it("stays at most maxAhead ahead of the consumer, and publishes everything in order", async () => {
    const sent: string[] = [];
    let received = 0;
    let maxAhead = 0;
    const n = await publishPaced(acking(sent), messages(50), {
      pace: {
        maxAhead: 10,
        received: async () => {
          maxAhead = Math.max(maxAhead, sent.length - received);
          received = Math.min(sent.length, received + 3); // the consumer trails the publisher
          return received;
        },
      },
    });
    expect(n).toBe(50);
    expect(sent).toEqual(messages(50).map((m) => m.topic));
    expect(maxAhead).toBeLessThanOrEqual(10);
  });

  it("throws when the consumer has received nothing new for stallMs", async () => {
    const sent: string[] = [];
    const counts = [5, 8, -100]; // then a restarted worker's count, which never catches up
    let call = 0;
    const pace = { maxAhead: 10, received: async () => counts[Math.min(call++, counts.length - 1)] as number };
    await expect(publishPaced(acking(sent), messages(50), { pace, stallMs: 200 })).rejects.toThrow(/received nothing new for 0 s \(18 published\)/);
    expect(sent).toHaveLength(18);
  });

  it("waits while the count is unreadable (NaN) and goes on when it is back", async () => {
    const sent: string[] = [];
    let call = 0;
    const pace = { maxAhead: 5, received: async () => (call++ < 3 ? Number.NaN : sent.length) };
    expect(await publishPaced(acking(sent), messages(20), { pace, stallMs: 5000 })).toBe(20);
  });
});

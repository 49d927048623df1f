// The forwarder's tests: the worker process, what arrives in Kafka (read back by a consumer from the
// earliest offset, counted per record id) and a steady feed of stored telemetry rows.
import { Consumer, stringDeserializers } from "@platformatic/kafka";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { QuestWriter } from "#lib/adapters/questdb/writer.ts";
import { type Managed, spawnScript } from "#lib/features/stack/process.ts";
import type { TestEnv } from "./stack.ts";

export function spawnForwarder(env: TestEnv, extra: Record<string, string>, logFile: string): Managed {
  const { BROKER: _b, ...stackEnv } = env;
  return spawnScript("forward", "workers/forward.ts", { env: { ...stackEnv, LOG_LEVEL: "info", ...extra }, logFile });
}

/** Everything on `topics` from the earliest offset: per record id, how often it arrived. */
export interface Arrivals {
  counts: Map<string, number>;
  /** per key, the ids in arrival order */
  byKey: Map<string, string[]>;
  missing(expected: Iterable<string>): string[];
  /** records beyond the first of each id */
  duplicates(): number;
  close(): Promise<void>;
}

export async function collectArrivals(bootstrap: string, topics: string[], group: string): Promise<Arrivals> {
  const consumer = new Consumer({ groupId: group, clientId: group, bootstrapBrokers: bootstrap.split(","), deserializers: stringDeserializers });
  const stream = await consumer.consume({ topics, mode: "earliest", autocommit: false, maxWaitTime: 200 });
  const counts = new Map<string, number>();
  const byKey = new Map<string, string[]>();
  stream.on("data", (m) => {
    const id = (JSON.parse(m.value) as { id: string }).id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
    const list = byKey.get(m.key) ?? [];
    list.push(id);
    byKey.set(m.key, list);
  });
  stream.on("error", () => undefined);
  return {
    counts,
    byKey,
    missing: (expected) => [...expected].filter((id) => !counts.has(id)),
    duplicates: () => [...counts.values()].reduce((s, n) => s + n - 1, 0),
    /** a consumer whose group coordinator was the killed broker cannot leave its group: that is not the test's subject */
    async close() {
      await stream.close().catch(() => undefined);
      await Promise.resolve(consumer.close(true) as unknown as Promise<void>).catch(() => undefined);
    },
  };
}

/**
 * Counts rows of enterprise `ent` written to QuestDB at `perSecond` (4 machines), received now:
 * as the ingest worker stores validated telemetry. `ids` are the record ids the forwarder must send.
 */
export function countsFeed(env: TestEnv, ent: string, perSecond: number) {
  const writer = new QuestWriter({ httpUrl: env.QUESTDB_HTTP_URL });
  const ids: string[] = [];
  let n = 0;
  let running = true;
  const base = Date.now() * 1000;
  const loop = (async () => {
    while (running) {
      const t0 = Date.now();
      const rows = [];
      const batch: string[] = [];
      for (let i = 0; i < perSecond / 10; i++, n++) {
        const machine = `m${n % 4}`;
        const ts = base + n * 1000;
        rows.push({
          table: TABLES.counts,
          symbols: [
            ["enterprise", ent],
            ["site", "s"],
            ["area", "a"],
            ["line", "l"],
            ["machine", machine],
            ["mode", "delta"],
          ] as [string, string][],
          fields: [
            { kind: "int" as const, name: "total", value: 1 },
            { kind: "int" as const, name: "reject", value: 0 },
            { kind: "timestamp" as const, name: "received_at", micros: Date.now() * 1000 },
          ],
          ts,
        });
        batch.push(`counts:${ent}/s/a/l/${machine}:${ts}`);
      }
      await writer.write(rows);
      ids.push(...batch);
      await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - t0))));
    }
  })();
  return {
    ids,
    /** stops writing and waits until every written row is visible */
    async stop() {
      running = false;
      await loop;
      await writer.close();
      const pool = questPool(env.QUESTDB_PG_URL, env.QUESTDB_PG_PASSWORD);
      await waitWalApplied(pool, [TABLES.counts]);
      await pool.end();
    },
  };
}

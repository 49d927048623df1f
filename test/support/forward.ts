// The forwarder's tests: the worker process, what arrives in Kafka (read back by a consumer from the
// earliest offset, counted per record id) and a steady feed of stored telemetry rows.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { Admin, Consumer, stringDeserializers } from "@platformatic/kafka";
import type { PrismaClient } from "#lib/adapters/db/client.ts";
import { forwardCursorStore } from "#lib/adapters/db/forward.ts";
import { ensureTopics } from "#lib/adapters/kafka/producer.ts";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { QuestWriter } from "#lib/adapters/questdb/writer.ts";
import type { KafkaCluster } from "#lib/dev/kafka.ts";
import { TOPICS } from "#lib/features/forward/records.ts";
import { freePort, waitFor } from "#lib/features/stack/net.ts";
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
  /** the consumer's latest error, if any (said when records do not arrive) */
  lastError(): string | undefined;
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
  let lastError: string | undefined;
  stream.on("error", (e: Error) => {
    lastError = e.message;
  });
  return {
    counts,
    byKey,
    missing: (expected) => [...expected].filter((id) => !counts.has(id)),
    duplicates: () => [...counts.values()].reduce((s, n) => s + n - 1, 0),
    lastError: () => lastError,
    /** a consumer whose group coordinator was the killed broker cannot leave its group: that is not the test's subject */
    async close() {
      await stream.close().catch(() => undefined);
      await Promise.resolve(consumer.close(true) as unknown as Promise<void>).catch(() => undefined);
    },
  };
}

/** A run: its topics, the positions set to now, a consumer reading them, the forwarder's settings. */
export async function forwardRun(
  ctx: { env: TestEnv; prisma: PrismaClient; logs: string; batch: number; settleMs?: number },
  cluster: KafkaCluster,
  name: string,
) {
  const prefix = `t${randomBytes(3).toString("hex")}.`;
  const topics = Object.values(TOPICS).map((t) => `${prefix}${t}`);
  const kafka = { brokers: cluster.bootstrap.split(","), clientId: `test-${name}` };
  await ensureTopics(kafka, topics);
  const t0 = Date.now() - 1000;
  const cursor = forwardCursorStore(ctx.prisma);
  for (const t of topics) await cursor.commit(t, t0, 0);
  const arrivals = await collectArrivals(cluster.bootstrap, topics, `test-${name}-${prefix}`);
  const metricsPort = await freePort();
  const settings = {
    KAFKA_BROKERS: cluster.bootstrap,
    KAFKA_TOPIC_PREFIX: prefix,
    FORWARD_BATCH_ROWS: String(ctx.batch),
    FORWARD_SETTLE_MS: String(ctx.settleMs ?? 3000),
    FORWARD_POLL_MS: "200",
    FORWARD_METRICS_PORT: String(metricsPort),
  };
  let n = 0;
  const start = async () => {
    const p = spawnForwarder(ctx.env, settings, join(ctx.logs, `${name}-${++n}.log`));
    await waitFor("forwarder's metrics", async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`).catch(() => undefined))?.ok === true, 60_000);
    return p;
  };
  const metric = async (re: RegExp) => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    return [...text.matchAll(re)].reduce((s, m) => s + Number(m[1]), 0);
  };
  return { prefix, topics, arrivals, start, metric };
}

/** Waits until every expected id arrived (or fails naming how many did not). */
export async function allArrived(arrivals: Arrivals, expected: string[], timeoutMs = 90_000) {
  await waitFor(`all ${expected.length} records in Kafka`, async () => arrivals.missing(expected).length === 0, timeoutMs, 250).catch((e) => {
    const err = arrivals.lastError();
    throw new Error(`${(e as Error).message}: ${arrivals.missing(expected).length} missing${err ? `; the test's consumer last said: ${err}` : ""}`);
  });
}

export function report(name: string, arrivals: Arrivals, expected: string[], ms: number, extra = "") {
  const ids = [...arrivals.counts.keys()];
  const maxPerId = Math.max(...arrivals.counts.values());
  console.log(
    `forward ${name}: ${expected.length} records expected, ${ids.length} distinct arrived, ${arrivals.duplicates()} duplicates (max ${maxPerId} per id), ${arrivals.missing(expected).length} missing${extra}; ${ms} ms`,
  );
}

/**
 * Counts rows of enterprise `ent` written to QuestDB at `perSecond` (4 machines), stored now:
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
            { kind: "storedAt" as const, name: "received_at" },
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

/**
 * Waits until the cluster has failed over from a killed broker, as its metadata (read from the live
 * brokers) says: the killed one is no longer listed (the KRaft controller fenced it, after its session
 * timeout of 9 s, and moved its leaderships, the group coordinators' with them) and every partition of
 * `topics` has a live leader. Until then a new consumer can be sent to the dead broker for its group
 * or its partitions.
 */
export async function failedOver(cluster: KafkaCluster, dead: number, topics: string[], timeoutMs = 60_000): Promise<void> {
  const live = cluster.brokers.filter((b) => b.id !== dead);
  const admin = new Admin({ clientId: `test-failover-${dead}`, bootstrapBrokers: live.map((b) => b.address), timeout: 5_000, retries: 1 });
  try {
    let last = "no metadata yet";
    await waitFor(
      `the cluster failed over from broker ${dead}`,
      async () => {
        const md = await admin.metadata({ topics, forceUpdate: true }).catch((e: Error) => {
          last = e.message;
          return undefined;
        });
        if (!md) return false;
        const known = topics.filter((t) => md.topics.get(t)?.partitions !== undefined);
        const leaders = known.flatMap((t) => (md.topics.get(t)?.partitions ?? []).map((p) => p.leader));
        last = `brokers ${[...md.brokers.keys()].join(",")}; ${known.length} of ${topics.length} topics known, partition leaders ${leaders.join(",")}`;
        return known.length === topics.length && !md.brokers.has(dead) && leaders.every((l) => l >= 0 && l !== dead);
      },
      timeoutMs,
      250,
    ).catch((e: Error) => {
      throw new Error(`${e.message}: ${last}`);
    });
  } finally {
    await admin.close();
  }
}

// andon bench forward: records/s the Kafka forwarder moves from QuestDB to Kafka (read a window,
// build the JSON records, send with the idempotent producer, await the acks, commit the position in
// PostgreSQL), against the same producer alone sending the same records, built beforehand, with the
// same chunks and acks, in the same run, on a 1-broker Kafka 4.4 (KRaft) on loopback. A scratch
// QuestDB and PostgreSQL database, and the broker, are started for the run and removed after it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { forwardCursorStore } from "#lib/adapters/db/forward.ts";
import { ensureTopics, type KafkaRecord, type KafkaSink, kafkaSink } from "#lib/adapters/kafka/producer.ts";
import { questRowsStoredIn } from "#lib/adapters/questdb/forward.ts";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import { ensureQuestSchema } from "#lib/adapters/questdb/schema.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { QuestWriter } from "#lib/adapters/questdb/writer.ts";
import { forwardSources, startForwarder } from "#lib/features/forward/forwarder.ts";
import { questRecords } from "#lib/features/forward/records.ts";
import { config } from "#lib/platform/config.ts";
import { createScratchDatabase, dropScratchDatabase, startScratchQuestDb } from "../isolated-stack.ts";
import { startKafkaCluster } from "../kafka.ts";

export interface ForwardBenchResult {
  records: number;
  forwardedPerS: number;
  producerPerS: number;
  /** producer alone / forwarder: how many times slower the whole forwarder is */
  ratio: number;
  bytesPerRecord: number;
  /** the forwarder's time: reading and building records, sending (acks awaited), the rest (commits, loop) */
  ms: { read: number; send: number; total: number };
}

/** Counts rows of 100 machines, received over the last hour. */
async function fill(httpUrl: string, n: number): Promise<void> {
  const writer = new QuestWriter({ httpUrl });
  const end = (Date.now() - 60_000) * 1000;
  const start = end - 3_600_000_000;
  for (let i = 0; i < n; i += 10_000) {
    const rows = [];
    for (let k = i; k < Math.min(n, i + 10_000); k++) {
      const at = Math.floor(start + ((end - start) * k) / n);
      rows.push({
        table: TABLES.counts,
        symbols: [
          ["enterprise", "bench"],
          ["site", "s1"],
          ["area", "a1"],
          ["line", `l${k % 10}`],
          ["machine", `m${k % 100}`],
          ["mode", "delta"],
        ] as [string, string][],
        fields: [
          { kind: "int" as const, name: "total", value: 1 + (k % 7) },
          { kind: "int" as const, name: "reject", value: k % 13 === 0 ? 1 : 0 },
          { kind: "timestamp" as const, name: "received_at", micros: at },
        ],
        ts: at - 250_000,
      });
    }
    await writer.write(rows);
  }
  await writer.close();
}

/** Counts what is acknowledged, so the run knows when the forwarder has sent everything. */
function counting(sink: KafkaSink, done: number, onDone: () => void): KafkaSink & { acked(): number; ms(): number } {
  let acked = 0;
  let ms = 0;
  return {
    async send(records) {
      const t = performance.now();
      await sink.send(records);
      ms += performance.now() - t;
      acked += records.length;
      if (acked >= done) onDone();
    },
    close: () => sink.close(),
    acked: () => acked,
    ms: () => ms,
  };
}

export async function benchForward(o: { records: number; batchRows: number; say: (m: string) => void }): Promise<ForwardBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), "andon-bench-forward-"));
  o.say("starting a scratch QuestDB, a scratch PostgreSQL database and a 1-broker Kafka 4.4 (KRaft) ...");
  const [quest, databaseUrl, kafka] = await Promise.all([
    startScratchQuestDb(dir),
    createScratchDatabase(),
    startKafkaCluster({ n: 1, home: config().ANDON_HOME }),
  ]);
  const pool = questPool(quest.pgUrl, quest.pgPassword);
  const prisma = prismaFor(databaseUrl);
  const brokers = kafka.bootstrap.split(",");
  try {
    await ensureQuestSchema(quest.httpUrl);
    o.say(`writing ${o.records} counts rows to QuestDB ...`);
    await fill(quest.httpUrl, o.records);
    await waitWalApplied(pool, [TABLES.counts], 300_000);
    let readMs = 0;
    const sources = forwardSources({ pool, prisma }, "fwd.").map((src) => ({
      ...src,
      read: async (from: number, to: number, limit: number) => {
        const t0 = performance.now();
        const r = await src.read(from, to, limit);
        readMs += performance.now() - t0;
        return r;
      },
    }));
    await ensureTopics({ brokers, clientId: "bench" }, [...sources.map((s) => s.topic), "alone.telemetry.counts"], 3);

    // the producer alone: the same records, built before the clock starts
    const rows = await questRowsStoredIn(pool, "counts", 0, Date.now(), o.records + 1);
    const prebuilt: KafkaRecord[] = questRecords("counts", "alone.telemetry.counts", rows);
    const bytesPerRecord = prebuilt.reduce((s, r) => s + r.value.length + r.key.length, 0) / prebuilt.length;
    const alone = kafkaSink({ brokers, clientId: "bench-alone" });
    await alone.send(prebuilt.slice(0, 1000)); // connection and producer id
    let t = performance.now();
    for (let i = 0; i < prebuilt.length; i += o.batchRows) await alone.send(prebuilt.slice(i, i + o.batchRows));
    const producerPerS = prebuilt.length / ((performance.now() - t) / 1000);
    await alone.close();
    o.say(`producer alone: ${prebuilt.length} records in batches of ${o.batchRows}: ${producerPerS.toFixed(0)}/s`);

    // the forwarder, from an empty position: reads, builds, sends, commits
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((r) => {
      finish = r;
    });
    const sink = counting(kafkaSink({ brokers, clientId: "bench-forward" }), o.records, () => finish());
    t = performance.now();
    const log = { warn: (x: object, m: string) => o.say(`${m} ${JSON.stringify(x)}`), info: () => undefined };
    const forwarder = await startForwarder({ sources, sink, cursor: forwardCursorStore(prisma), batchRows: o.batchRows, settleMs: 0, pollMs: 100, log });
    await finished;
    const total = performance.now() - t;
    const forwardedPerS = sink.acked() / (total / 1000);
    await forwarder.stop();
    await sink.close();
    o.say(
      `forwarder: ${sink.acked()} records: ${forwardedPerS.toFixed(0)}/s; of its ${total.toFixed(0)} ms: reading and building ${readMs.toFixed(0)} ms, sending ${sink.ms().toFixed(0)} ms, commits and the rest ${(total - readMs - sink.ms()).toFixed(0)} ms`,
    );
    return {
      records: o.records,
      forwardedPerS,
      producerPerS,
      ratio: producerPerS / forwardedPerS,
      bytesPerRecord,
      ms: { read: readMs, send: sink.ms(), total },
    };
  } finally {
    await pool.end();
    await prisma.$disconnect();
    await Promise.all([quest.stop(), kafka.stop()]);
    await dropScratchDatabase(databaseUrl).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

// Kafka through @platformatic/kafka (pure JavaScript; the choice: docs/deployment.md): an idempotent
// producer (acks from every in-sync replica, producer id and sequence numbers, so the client's own
// retries write nothing twice) and the topic set-up. String keys and values.
import { Admin, Producer, stringSerializers } from "@platformatic/kafka";

export interface KafkaRecord {
  topic: string;
  key: string;
  value: string;
}

export interface KafkaSink {
  /** resolves once every record is acknowledged by all in-sync replicas; rejects otherwise */
  send(records: KafkaRecord[]): Promise<void>;
  close(): Promise<void>;
}

/** Records per produce request: far below the broker's default 1 MB batch limit at Andon's record sizes. */
const CHUNK = 1000;

export function kafkaSink(o: { brokers: string[]; clientId: string; timeoutMs?: number }): KafkaSink {
  const producer = new Producer({
    clientId: o.clientId,
    bootstrapBrokers: o.brokers,
    serializers: stringSerializers,
    idempotent: true,
    acks: -1,
    timeout: o.timeoutMs ?? 10_000,
    retries: 3,
    retryDelay: 500,
  });
  return {
    async send(records) {
      for (let i = 0; i < records.length; i += CHUNK) await producer.send({ messages: records.slice(i, i + CHUNK) });
    },
    async close() {
      await producer.close();
    },
  };
}

/** Creates the topics that do not exist yet (partitions, replication factor min(3, brokers)). */
export async function ensureTopics(o: { brokers: string[]; clientId: string }, topics: string[], partitions = 3): Promise<void> {
  const admin = new Admin({ clientId: `${o.clientId}-admin`, bootstrapBrokers: o.brokers, timeout: 10_000, retries: 3 });
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length === 0) return;
    const brokers = (await admin.metadata({ topics: [] })).brokers.size;
    await admin.createTopics({ topics: missing, partitions, replicas: Math.min(3, brokers) });
  } finally {
    await admin.close();
  }
}

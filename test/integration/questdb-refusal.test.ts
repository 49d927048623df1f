// A row QuestDB refuses for good (here: a string where the table has a DOUBLE) must not block every
// later batch: the batcher isolates the message by halving the batch, dead-letters it with QuestDB's
// reason, and writes and acknowledges the rest. Real QuestDB, the worker's own writer and batcher.
import { randomBytes } from "node:crypto";
import pino from "pino";
import { afterAll, describe, expect, inject, it } from "vitest";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import type { Row } from "#lib/adapters/questdb/rows.ts";
import { ensureQuestSchema } from "#lib/adapters/questdb/schema.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { QuestWriter } from "#lib/adapters/questdb/writer.ts";
import { IngestBatcher } from "#lib/features/ingest/batcher.ts";
import { deadLetterRow } from "#lib/features/ingest/mapping.ts";
import { createIngestMetrics } from "#lib/features/ingest/metrics.ts";

const env = inject("stack");
const ent = `qr${randomBytes(3).toString("hex")}`;
const pool = questPool(env.QUESTDB_PG_URL, env.QUESTDB_PG_PASSWORD, 2);
afterAll(() => pool.end());

const t0 = (Date.now() - 3_600_000) * 1000;
const vib = (i: number, velocity: number | string): Row => ({
  table: TABLES.vibration,
  symbols: [
    ["enterprise", ent],
    ["site", "s"],
    ["area", "a"],
    ["line", "l"],
    ["machine", "m"],
    ["sensor", "de"],
  ],
  fields: [
    typeof velocity === "number"
      ? { kind: "float", name: "velocity_rms_mm_s", value: velocity }
      : { kind: "string", name: "velocity_rms_mm_s", value: velocity },
  ],
  ts: t0 + i * 1000,
});

describe("a row QuestDB refuses for good", () => {
  it("is dead-lettered with QuestDB's reason and blocks nothing else", { timeout: 60_000 }, async () => {
    await ensureQuestSchema(env.QUESTDB_HTTP_URL);
    const writer = new QuestWriter({ httpUrl: env.QUESTDB_HTTP_URL });
    const metrics = createIngestMetrics();
    const ctx = { nowMicros: Date.now() * 1000, maxFutureMicros: 300e6, maxAgeMicros: 86400e6, isKnownMachine: () => true, worker: `test-${ent}` };
    const batcher = new IngestBatcher(writer, { batchRows: 100, flushMs: 20 }, metrics, pino({ level: "silent" }), undefined, (m, reason) =>
      m.source ? deadLetterRow(m.source.topic, m.source.payload, reason, ctx) : undefined,
    );
    const acked: number[] = [];
    const poison = 17;
    for (let i = 0; i < 40; i++) {
      batcher.add({
        rows: [vib(i, i === poison ? "not a number" : 1 + i / 100)],
        ack: () => acked.push(i),
        source: { topic: `${ent}/s/a/l/m/vibration`, payload: Buffer.from(`message ${i}`) },
      });
    }
    await batcher.drain();
    await writer.close();
    expect(acked.sort((a, b) => a - b)).toEqual([...Array(40).keys()]);
    await waitWalApplied(pool, [TABLES.vibration, TABLES.deadLetters]);
    const { rows } = await pool.query<{ n: string }>(`SELECT count() n FROM ${TABLES.vibration} WHERE enterprise = $1`, [ent]);
    expect(Number(rows[0]?.n)).toBe(39);
    const { rows: dead } = await pool.query<{ reason: string; payload_b64: string }>(`SELECT reason, payload_b64 FROM ${TABLES.deadLetters} WHERE topic = $1`, [
      `${ent}/s/a/l/m/vibration`,
    ]);
    expect(dead).toHaveLength(1);
    expect(Buffer.from(dead[0]?.payload_b64 ?? "", "base64").toString()).toBe(`message ${poison}`);
    expect(dead[0]?.reason).toMatch(/^QuestDB refused the rows: .*statusCode=400/);
    expect((await metrics.refused.get()).values[0]?.value).toBe(1);
  });
});

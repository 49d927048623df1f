// The batcher acknowledges a message only after the write that carries its rows succeeded.
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { Row } from "#lib/adapters/questdb/rows.ts";
import { RowsRefusedError, type RowWriter } from "#lib/adapters/questdb/writer.ts";
import { IngestBatcher, messageBytes } from "#lib/features/ingest/batcher.ts";
import { createIngestMetrics } from "#lib/features/ingest/metrics.ts";

class ScriptedWriter implements RowWriter {
  written: Row[][] = [];
  failuresLeft: number;
  constructor(failures = 0) {
    this.failuresLeft = failures;
  }
  async write(rows: readonly Row[]) {
    if (this.failuresLeft-- > 0) throw new Error("QuestDB down");
    this.written.push([...rows]);
  }
  async close() {}
}

const row = (i: number): Row => ({ table: "t", symbols: [], fields: [], ts: i });
const log = pino({ level: "silent" });

describe("IngestBatcher", () => {
  it("flushes at the row limit and acks each message after its batch is written", async () => {
    const w = new ScriptedWriter();
    const b = new IngestBatcher(w, { batchRows: 3, flushMs: 10_000 }, createIngestMetrics(), log);
    const acked: number[] = [];
    for (let i = 0; i < 7; i++) b.add({ rows: [row(i)], ack: () => acked.push(i) });
    await b.drain();
    expect(w.written.map((batch) => batch.map((r) => r.ts))).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(acked).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it("with a checkpoint: one batch takes every message held, in requests of batchRows, the checkpoint last, then acks and reports it durable", async () => {
    const w = new ScriptedWriter();
    const b = new IngestBatcher(w, { batchRows: 3, flushMs: 10_000 }, createIngestMetrics(), log);
    const events: string[] = [];
    let cut = 0;
    b.checkpointWith(
      () => [{ ...row(100 + cut), table: `checkpoint-${cut++}` }],
      (rows, connection) => events.push(`durable ${rows[0]?.table} on ${connection}`),
    );
    for (let i = 0; i < 7; i++) b.add({ rows: [row(i)], ack: () => events.push(`ack ${i}`), connection: 1 });
    await b.drain();
    // the 3-row limit made the first cut at the third message (everything held then), the rest was the second
    expect(w.written.map((req) => req.map((r) => (r.table === "t" ? r.ts : r.table)))).toEqual([[0, 1, 2], ["checkpoint-0"], [3, 4, 5], [6, "checkpoint-1"]]);
    expect(events).toEqual(["ack 0", "ack 1", "ack 2", "durable checkpoint-0 on 1", "ack 3", "ack 4", "ack 5", "ack 6", "durable checkpoint-1 on 1"]);
  });

  it("flushes a quiet stream on the timer", async () => {
    const w = new ScriptedWriter();
    const b = new IngestBatcher(w, { batchRows: 1000, flushMs: 20 }, createIngestMetrics(), log);
    let acked = false;
    b.add({ rows: [row(1)], ack: () => (acked = true) });
    await new Promise((r) => setTimeout(r, 100));
    expect(acked).toBe(true);
  });

  it("holds acks while writes fail and acks once a retry succeeds, writing the whole batch again", async () => {
    const w = new ScriptedWriter(2);
    const metrics = createIngestMetrics();
    const b = new IngestBatcher(w, { batchRows: 10, flushMs: 5, retryMinMs: 5, retryMaxMs: 10 }, metrics, log);
    const acked: number[] = [];
    b.add({ rows: [row(1)], ack: () => acked.push(1) });
    b.add({ rows: [row(2), row(3)], ack: () => acked.push(2) });
    await new Promise((r) => setTimeout(r, 2));
    expect(acked).toEqual([]);
    expect(b.pendingMessages).toBe(2);
    await b.drain();
    expect(acked).toEqual([1, 2]);
    expect(w.written).toEqual([[row(1), row(2), row(3)]]);
    expect((await metrics.writeErrors.get()).values[0]?.value).toBe(2);
  });

  it("never acks what it could not write when stopped", async () => {
    const w = new ScriptedWriter(Number.POSITIVE_INFINITY);
    const b = new IngestBatcher(w, { batchRows: 1, flushMs: 5, retryMinMs: 5, retryMaxMs: 5 }, createIngestMetrics(), log);
    let acked = false;
    b.add({ rows: [row(1)], ack: () => (acked = true) });
    await new Promise((r) => setTimeout(r, 30));
    b.stop();
    await b.drain();
    expect(acked).toBe(false);
  });

  it("bounds a batch in bytes as well as rows; a message larger than the bound goes alone", async () => {
    const w = new ScriptedWriter();
    const big = (i: number): Row => ({ table: "t", symbols: [], fields: [{ kind: "string", name: "s", value: "x".repeat(10_000) }], ts: i });
    const bytes = messageBytes([big(0)]);
    expect(bytes).toBeGreaterThanOrEqual(30_000);
    const b = new IngestBatcher(w, { batchRows: 1000, batchBytes: 2 * bytes + 10, flushMs: 10_000 }, createIngestMetrics(), log);
    const huge: Row = { table: "t", symbols: [], fields: [{ kind: "array", name: "a", value: new Array(20_000).fill(1) }], ts: 99 };
    for (let i = 0; i < 5; i++) b.add({ rows: [big(i)], ack: () => undefined });
    b.add({ rows: [huge], ack: () => undefined });
    b.add({ rows: [big(5)], ack: () => undefined });
    await b.drain();
    expect(w.written.map((batch) => batch.map((r) => r.ts))).toEqual([[0, 1], [2, 3], [4], [99], [5]]);
  });

  it("drops the copies of an earlier connection once the session is resumed (the broker redelivers them)", async () => {
    const w = new ScriptedWriter(Number.POSITIVE_INFINITY);
    const b = new IngestBatcher(w, { batchRows: 2, flushMs: 5, retryMinMs: 5, retryMaxMs: 5 }, createIngestMetrics(), log);
    const acked: number[] = [];
    // connection 0: two messages in a batch being retried, one waiting
    for (let i = 0; i < 3; i++) b.add({ rows: [row(i)], ack: () => acked.push(i), connection: 0 });
    await new Promise((r) => setTimeout(r, 20));
    expect(b.pendingMessages).toBe(3);
    // connection 1 resumed the session: the broker redelivers 0..2 on it
    b.connectionResumed(1);
    for (let i = 0; i < 3; i++) b.add({ rows: [row(i)], ack: () => acked.push(10 + i), connection: 1 });
    // never more than what one connection may have in flight
    expect(b.pendingMessages).toBeLessThanOrEqual(3 + 2);
    w.failuresLeft = 0;
    await b.drain();
    expect(b.pendingMessages).toBe(0);
    expect(acked.sort((x, y) => x - y)).toEqual([10, 11, 12]);
    expect(w.written.flat().map((r) => r.ts)).toEqual([0, 1, 2]);
  });

  it("dead-letters a message whose rows QuestDB refuses for good and writes the rest of its batch", async () => {
    const poison = 13;
    const w: RowWriter & { written: Row[][]; attempts: number } = {
      written: [],
      attempts: 0,
      async write(rows) {
        this.attempts++;
        if (rows.some((r) => r.ts === poison)) throw new RowsRefusedError("HTTP request failed, statusCode=400, error=cast error");
        this.written.push([...rows]);
      },
      async close() {},
    };
    const metrics = createIngestMetrics();
    const deadRow: Row = { table: "dead", symbols: [], fields: [], ts: 0 };
    const reasons: string[] = [];
    const b = new IngestBatcher(w, { batchRows: 32, flushMs: 5 }, metrics, log, undefined, (_m, reason) => {
      reasons.push(reason);
      return deadRow;
    });
    const acked: number[] = [];
    for (let i = 0; i < 32; i++) b.add({ rows: [row(i)], ack: () => acked.push(i) });
    await b.drain();
    expect(acked.sort((x, y) => x - y)).toEqual([...Array(32).keys()]);
    const stored = w.written.flat().map((r) => r.ts);
    expect(stored).toHaveLength(32); // 31 rows + the dead letter
    expect(stored).not.toContain(poison);
    expect(w.written.flat().filter((r) => r.table === "dead")).toHaveLength(1);
    expect(reasons).toEqual(["QuestDB refused the rows: HTTP request failed, statusCode=400, error=cast error"]);
    // found by halving: about log2(32) refused attempts, not one per message
    expect(w.attempts).toBeLessThanOrEqual(2 * Math.log2(32) + 2);
    expect((await metrics.refused.get()).values[0]?.value).toBe(1);
  });

  it("acknowledges (and counts) a message when even its dead letter is refused, instead of blocking", async () => {
    const w: RowWriter = {
      async write(rows) {
        if (rows.some((r) => r.ts === 1 || r.table === "dead")) throw new RowsRefusedError("statusCode=400");
      },
      async close() {},
    };
    const metrics = createIngestMetrics();
    const b = new IngestBatcher(w, { batchRows: 10, flushMs: 5 }, metrics, log, undefined, () => ({ table: "dead", symbols: [], fields: [], ts: 0 }));
    const acked: number[] = [];
    for (let i = 0; i < 3; i++) b.add({ rows: [row(i)], ack: () => acked.push(i) });
    await b.drain();
    expect(acked.sort()).toEqual([0, 1, 2]);
    expect((await metrics.dropped.get()).values[0]?.value).toBe(1);
  });

  it("counts the bytes it holds (rows and kept payloads) until they are written", async () => {
    const w = new ScriptedWriter(1);
    const b = new IngestBatcher(w, { batchRows: 10, flushMs: 5, retryMinMs: 5, retryMaxMs: 5 }, createIngestMetrics(), log);
    const payload = Buffer.alloc(100_000);
    for (let i = 0; i < 3; i++) b.add({ rows: [row(i)], ack: () => undefined, source: { topic: "t", payload } });
    expect(b.heldBytes).toBeGreaterThanOrEqual(300_000);
    await b.drain();
    expect(b.heldBytes).toBe(0);
  });
});

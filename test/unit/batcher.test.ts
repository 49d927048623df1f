// The batcher acknowledges a message only after the write that carries its rows succeeded.
import pino from "pino";
import { describe, expect, it } from "vitest";
import { IngestBatcher } from "../../lib/ingest/batcher.ts";
import { createIngestMetrics } from "../../lib/ingest/metrics.ts";
import type { Row } from "../../lib/questdb/rows.ts";
import type { RowWriter } from "../../lib/questdb/writer.ts";

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
});

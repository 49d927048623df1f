// Collects mapped messages into batches and acknowledges each message only after its rows are
// durable in QuestDB. Memory is bounded from outside: the broker sends at most `receive maximum`
// unacknowledged messages, and nothing is acknowledged while QuestDB is not taking writes.
import type { Logger } from "pino";
import type { Row } from "../questdb/rows.ts";
import type { RowWriter } from "../questdb/writer.ts";
import type { IngestMetrics } from "./metrics.ts";

export interface PendingMessage {
  rows: Row[];
  /** Sends the PUBACK. Called once, after the rows are durable. */
  ack: () => void;
  /** Device event time (µs) for the lag metric; undefined for dead letters. */
  eventMicros?: number;
}

export interface BatcherOptions {
  batchRows: number;
  flushMs: number;
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Batches written at the same time (default 2: one fills while another is on the wire). */
  concurrency?: number;
}

export class IngestBatcher {
  #pending: PendingMessage[] = [];
  #pendingRows = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #inFlight = new Set<Promise<void>>();
  #stopped = false;
  /** Messages in the batches being written right now. */
  #writing = 0;
  readonly #opts: Required<BatcherOptions>;

  constructor(
    private readonly writer: RowWriter,
    opts: BatcherOptions,
    private readonly metrics: IngestMetrics,
    private readonly log: Logger,
    /** Wraps sending a batch's acks, e.g. to cork the socket so they leave in one write. */
    private readonly ackMany: (sendAll: () => void) => void = (f) => f(),
  ) {
    this.#opts = { retryMinMs: 200, retryMaxMs: 5000, concurrency: 2, ...opts };
  }

  /** Messages received and not yet durable: the next batch and the one being written. */
  get pendingMessages(): number {
    return this.#pending.length + this.#writing;
  }

  add(msg: PendingMessage): void {
    this.#pending.push(msg);
    this.#pendingRows += msg.rows.length;
    this.metrics.pending.set(this.pendingMessages);
    if (this.#pendingRows >= this.#opts.batchRows) this.#kick();
    else this.#timer ??= setTimeout(() => this.#kick(), this.#opts.flushMs);
  }

  /** Writes everything pending; resolves when it is durable and acknowledged (or `stop()` gave up). */
  async drain(): Promise<void> {
    while (this.#pending.length > 0 || this.#inFlight.size > 0) {
      this.#kick();
      await Promise.all(this.#inFlight);
      if (this.#stopped) return;
    }
  }

  /** Stops retrying: whatever is not yet durable stays unacknowledged, so the broker redelivers it. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #kick(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    // Up to `concurrency` batches in flight; a second one only when a full batch is waiting.
    while (this.#inFlight.size < this.#opts.concurrency && this.#pending.length > 0 && !this.#stopped) {
      if (this.#inFlight.size > 0 && this.#pendingRows < this.#opts.batchRows) break;
      // Whole messages, up to batchRows rows (at least one message).
      let take = 0;
      let rows = 0;
      while (take < this.#pending.length && (take === 0 || rows + (this.#pending[take]?.rows.length ?? 0) <= this.#opts.batchRows)) {
        rows += this.#pending[take]?.rows.length ?? 0;
        take++;
      }
      const batch = this.#pending.splice(0, take);
      this.#pendingRows -= rows;
      this.#writing += batch.length;
      const flushing: Promise<void> = this.#flush(batch).finally(() => {
        this.#inFlight.delete(flushing);
        this.#writing -= batch.length;
        this.metrics.pending.set(this.pendingMessages);
        if (this.#pending.length > 0 && !this.#stopped) {
          if (this.#pendingRows >= this.#opts.batchRows) this.#kick();
          else this.#timer ??= setTimeout(() => this.#kick(), this.#opts.flushMs);
        }
      });
      this.#inFlight.add(flushing);
    }
  }

  async #flush(batch: PendingMessage[]): Promise<void> {
    const rows = batch.flatMap((m) => m.rows);
    let delay = this.#opts.retryMinMs;
    for (let attempt = 1; !this.#stopped; attempt++) {
      const started = performance.now();
      try {
        await this.writer.write(rows);
      } catch (e) {
        this.metrics.writeErrors.inc();
        this.metrics.backpressure.set(1);
        this.log.warn({ err: (e as Error).message, rows: rows.length, attempt, retryInMs: delay }, "QuestDB write failed; holding acks and retrying");
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, this.#opts.retryMaxMs);
        continue;
      }
      this.metrics.flushSeconds.observe((performance.now() - started) / 1000);
      this.metrics.backpressure.set(0);
      const now = Date.now() * 1000;
      this.ackMany(() => {
        for (const m of batch) m.ack();
      });
      for (const m of batch) if (m.eventMicros !== undefined) this.metrics.lagSeconds.observe(Math.max(0, now - m.eventMicros) / 1e6);
      const perTable = new Map<string, number>();
      for (const r of rows) perTable.set(r.table, (perTable.get(r.table) ?? 0) + 1);
      for (const [table, n] of perTable) this.metrics.rowsWritten.inc({ table }, n);
      if (attempt > 1) this.log.info({ rows: rows.length, attempt }, "QuestDB write recovered");
      return;
    }
  }
}

// Collects mapped messages into batches and acknowledges each message only after its rows are
// durable in QuestDB. Memory is bounded from outside: the broker sends at most `receive maximum`
// unacknowledged messages per connection, and nothing is acknowledged while QuestDB is not taking
// writes. After a reconnect to a resumed session the broker redelivers every unacknowledged message,
// so the copies received on the old connection are dropped (`connectionResumed`): without that, each
// reconnect during an outage added another receive maximum of messages to what the worker holds.
// Batches are bounded in rows and in bytes; a message whose rows QuestDB refuses for good is found by
// splitting the batch and becomes a dead letter instead of blocking every later batch.
import type { Logger } from "pino";
import { writeIsolating } from "#lib/adapters/questdb/isolate.ts";
import type { Row } from "#lib/adapters/questdb/rows.ts";
import { RowsRefusedError, type RowWriter } from "#lib/adapters/questdb/writer.ts";
import type { IngestMetrics } from "./metrics.ts";
import { inRequests, messageBytes } from "./row-bytes.ts";

export { messageBytes };

export interface PendingMessage {
  rows: Row[];
  /** Sends the PUBACK. Called once, after the rows are durable. */
  ack: () => void;
  /** Device event time (µs) for the lag metric; undefined for dead letters. */
  eventMicros?: number;
  /** The MQTT connection it arrived on (see DeferredAcks.connection). */
  connection?: number;
  /** The message's topic and payload, kept to dead-letter it if QuestDB refuses its rows for good. */
  source?: { topic: string; payload: Uint8Array };
}

/** Builds the dead-letter row of a message whose rows QuestDB refused for good. */
export type RefusedToDeadLetter = (m: PendingMessage, reason: string) => Row | undefined;

export interface BatcherOptions {
  batchRows: number;
  /** Upper bound of a batch's encoded size (estimated, rowBytes); one message above it goes alone. */
  batchBytes?: number;
  flushMs: number;
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Batches written at the same time (default 2: one fills while another is on the wire). */
  concurrency?: number;
}

interface Held {
  m: PendingMessage;
  rows: number;
  bytes: number;
}

export class IngestBatcher {
  #pending: Held[] = [];
  #pendingRows = 0;
  #pendingBytes = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #inFlight = new Set<Promise<void>>();
  #stopped = false;
  /** Messages in the batches being written right now. */
  #writing = 0;
  /** Estimated bytes of every message held (pending and being written), payloads included. */
  #heldBytes = 0;
  /** Messages received on a connection before this one are redelivered by the broker: dropped. */
  #staleBefore = Number.NEGATIVE_INFINITY;
  /** The most messages held at once since the start (the flow-control bound, observed). */
  #maxPending = 0;
  #settled: () => void = () => undefined;
  #checkpoint: () => Row[] = () => [];
  #checkpointDurable: (rows: Row[], connection?: number) => void = () => undefined;
  /** With a checkpoint: one batch at a time, each taking every message held (see checkpointWith). */
  #exact = false;
  readonly #opts: Required<BatcherOptions>;

  constructor(
    private readonly writer: RowWriter,
    opts: BatcherOptions,
    private readonly metrics: IngestMetrics,
    private readonly log: Logger,
    /** Wraps sending a batch's acks, e.g. to cork the socket so they leave in one write. */
    private readonly ackMany: (sendAll: () => void) => void = (f) => f(),
    /** The dead letter of a message QuestDB refused for good (undefined: the message is acknowledged and counted as refused). */
    private readonly refusedToDeadLetter: RefusedToDeadLetter = () => undefined,
  ) {
    this.#opts = { retryMinMs: 200, retryMaxMs: 5000, concurrency: 2, batchBytes: 8 * 1024 * 1024, ...opts };
  }

  /** Messages received and not yet durable: the next batch and the one being written. */
  get pendingMessages(): number {
    return this.#pending.length + this.#writing;
  }

  /** Estimated memory held by messages not yet durable (their rows and kept payloads). */
  get heldBytes(): number {
    return this.#heldBytes;
  }

  /** The high-water mark of pendingMessages. */
  get maxPendingMessages(): number {
    return this.#maxPending;
  }

  /** `fn` runs whenever messages stop being held (written and acknowledged, or dropped). */
  onSettled(fn: () => void): void {
    this.#settled = fn;
  }

  /**
   * `fn` runs when a batch is cut; its rows (the Sparkplug sessions' checkpoints: the state after every message
   * received so far) are written after the batch's rows, its messages acknowledged once all are durable (then
   * `durable` runs). So that it is the state after exactly the batch's messages, a batch takes every message held
   * (written in requests of at most batchRows / batchBytes, in order) and one batch is written at a time.
   */
  checkpointWith(fn: () => Row[], durable: (rows: Row[], connection?: number) => void): void {
    this.#checkpoint = fn;
    this.#checkpointDurable = durable;
    this.#exact = true;
  }

  add(m: PendingMessage): void {
    const held: Held = { m, rows: m.rows.length, bytes: messageBytes(m.rows) };
    this.#heldBytes += heldSize(held);
    this.#pending.push(held);
    this.#pendingRows += held.rows;
    this.#pendingBytes += held.bytes;
    this.#maxPending = Math.max(this.#maxPending, this.pendingMessages);
    this.metrics.pending.set(this.pendingMessages);
    if (this.#full()) this.#kick();
    else this.#timer ??= setTimeout(() => this.#kick(), this.#opts.flushMs);
  }

  /**
   * The connection `current` resumed the broker session: every message received before it and not yet
   * acknowledged will be delivered again, so the earlier copies are dropped (batches being retried
   * drop them before their next attempt). Not called when the session was lost: then the copies we
   * hold are the only ones, and they are written.
   */
  connectionResumed(current: number): void {
    this.#staleBefore = current;
    const keep = this.#pending.filter((h) => !this.#stale(h.m));
    if (keep.length === this.#pending.length) return;
    for (const h of this.#pending) if (this.#stale(h.m)) this.#heldBytes -= heldSize(h);
    this.log.info({ dropped: this.#pending.length - keep.length }, "session resumed: dropped messages the broker redelivers");
    this.#pending = keep;
    this.#pendingRows = keep.reduce((n, h) => n + h.rows, 0);
    this.#pendingBytes = keep.reduce((n, h) => n + h.bytes, 0);
    this.metrics.pending.set(this.pendingMessages);
    this.#settled();
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

  #stale(m: PendingMessage): boolean {
    return m.connection !== undefined && m.connection < this.#staleBefore;
  }

  #full(): boolean {
    return this.#pendingRows >= this.#opts.batchRows || this.#pendingBytes >= this.#opts.batchBytes;
  }

  #kick(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    // Up to `concurrency` batches in flight; a second one only when a full batch is waiting.
    while (this.#inFlight.size < (this.#exact ? 1 : this.#opts.concurrency) && this.#pending.length > 0 && !this.#stopped) {
      if (this.#inFlight.size > 0 && !this.#full()) break;
      // Whole messages, up to batchRows rows and batchBytes bytes (at least one message).
      let take = 0;
      let rows = 0;
      let bytes = 0;
      for (; take < this.#pending.length; take++) {
        const h = this.#pending[take] as Held;
        if (take > 0 && !this.#exact && (rows + h.rows > this.#opts.batchRows || bytes + h.bytes > this.#opts.batchBytes)) break;
        rows += h.rows;
        bytes += h.bytes;
      }
      const taken = this.#pending.splice(0, take);
      const batch = taken.map((h) => h.m);
      const checkpoint = this.#checkpoint();
      // on the batch's connection: dropped with its messages when the broker redelivers them (connectionResumed)
      const on = batch.at(-1)?.connection;
      if (checkpoint.length)
        batch.push({ rows: checkpoint, ack: () => this.#checkpointDurable(checkpoint, on), ...(on !== undefined ? { connection: on } : {}) });
      const size = taken.reduce((n, h) => n + heldSize(h), 0);
      this.#pendingRows -= rows;
      this.#pendingBytes -= bytes;
      this.#writing += batch.length;
      const flushing: Promise<void> = this.#flush(batch).finally(() => {
        this.#inFlight.delete(flushing);
        this.#writing -= batch.length;
        this.#heldBytes -= size;
        this.metrics.pending.set(this.pendingMessages);
        this.#settled();
        if (this.#pending.length > 0 && !this.#stopped) {
          if (this.#full()) this.#kick();
          else this.#timer ??= setTimeout(() => this.#kick(), this.#opts.flushMs);
        }
      });
      this.#inFlight.add(flushing);
    }
  }

  /**
   * Writes one batch until it is durable (retrying what can pass), then acknowledges its messages. QuestDB
   * refused it for good (bad request, a row too large): halves are written on their own until each refused
   * message is alone (writeIsolating); it becomes a dead letter with QuestDB's reason. The other messages
   * are written as usual, so one bad row costs O(log n) extra writes and blocks nothing.
   */
  async #flush(messages: PendingMessage[], deadLetters = false): Promise<void> {
    const refused = await writeIsolating(messages, (part) => this.#write(part));
    for (const { item, reason } of refused) await this.#refused(item, `QuestDB refused the rows: ${reason}`, deadLetters);
  }

  /** One part until it is durable and acknowledged (or stopped); throws RowsRefusedError when QuestDB will never take it. */
  async #write(messages: readonly PendingMessage[]): Promise<void> {
    let delay = this.#opts.retryMinMs;
    for (let attempt = 1; !this.#stopped; attempt++) {
      const batch = messages.filter((m) => !this.#stale(m));
      if (batch.length === 0) return;
      const rows = batch.flatMap((m) => m.rows);
      const started = performance.now();
      try {
        for (const chunk of this.#exact ? inRequests(rows, this.#opts.batchRows, this.#opts.batchBytes) : [rows]) await this.writer.write(chunk);
      } catch (e) {
        this.metrics.writeErrors.inc();
        if (e instanceof RowsRefusedError) throw e;
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

  /** A message QuestDB refused for good, alone: its dead letter is written instead. */
  async #refused(m: PendingMessage, reason: string, deadLetters: boolean): Promise<void> {
    const dead = deadLetters ? undefined : this.refusedToDeadLetter(m, reason);
    this.metrics.refused.inc();
    if (dead) {
      this.log.warn({ reason }, "QuestDB refused a message's rows; dead-lettered");
      this.metrics.deadLettered.inc({ kind: "refused" });
      await this.#flush([{ ...m, rows: [dead] }], true);
      return;
    }
    // Even its dead letter was refused (or none can be made): acknowledged so that it cannot block
    // ingest forever, logged with what identifies it, and counted (andon_ingest_refused_total).
    this.log.error(
      { reason, rows: m.rows.length, tables: [...new Set(m.rows.map((r) => r.table))] },
      "QuestDB refused a dead letter; message acknowledged without a row",
    );
    this.metrics.dropped.inc();
    this.ackMany(() => m.ack());
  }
}

/** The objects around a message's rows and payload (its packet, topic, acknowledgement, the parsed value while it is mapped): ~1.2 KB measured for a small message. */
const MESSAGE_OVERHEAD_BYTES = 1024;
const heldSize = (h: Held) => MESSAGE_OVERHEAD_BYTES + h.bytes + (h.m.source?.payload.length ?? 0);

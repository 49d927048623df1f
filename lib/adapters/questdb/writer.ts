// Writes batches of rows to QuestDB over ILP/HTTP. A batch either lands whole (QuestDB answered 2xx:
// the rows are in its WAL, durable) or the call throws and the caller keeps the batch to retry.
// The client's flush() drops its buffer before sending, so we never rely on it to retry: we rebuild
// the rows on every attempt, and DEDUP keys make a partly-landed earlier attempt harmless.
import { Sender } from "@questdb/nodejs-client";
import { withTimeout } from "#lib/platform/timeout.ts";
import type { Row } from "./rows.ts";

/**
 * QuestDB will never take these rows as they are (it answered 400 Bad Request or 413, or the client
 * could not encode them): retrying cannot help. Anything else (refused connection, timeout, 5xx,
 * 401/403 from a wrong password) is a failure that can pass, and the caller retries.
 */
export class RowsRefusedError extends Error {
  override name = "RowsRefusedError";
}

/** QuestDB's answers that mean "these rows, never": the request itself is wrong. */
const REFUSED_STATUS = /statusCode=(400|413|422)\b/;

export interface RowWriter {
  write(rows: readonly Row[]): Promise<void>;
  close(): Promise<void>;
}

export interface QuestWriterOptions {
  httpUrl: string;
  /** Upper bound for one HTTP request (ms); past it the attempt fails and the batch is retried. */
  requestTimeoutMs?: number;
  /** The client's buffer limit (bytes): above the largest batch the batcher makes (INGEST_BATCH_BYTES). */
  maxBufferBytes?: number;
}

/** Safe for concurrent write() calls: each one uses its own Sender from a small pool. */
export class QuestWriter implements RowWriter {
  readonly #idle: Sender[] = [];
  readonly #all = new Set<Sender>();
  readonly #opts: Required<QuestWriterOptions>;

  constructor(opts: QuestWriterOptions) {
    this.#opts = { requestTimeoutMs: 10_000, maxBufferBytes: 64 * 1024 * 1024, ...opts };
  }

  async #acquire(): Promise<Sender> {
    const idle = this.#idle.pop();
    if (idle) return idle;
    const u = new URL(this.#opts.httpUrl);
    const scheme = u.protocol === "https:" ? "https" : "http";
    const port = u.port || (scheme === "https" ? "443" : "80");
    const auth = u.username ? `username=${decodeURIComponent(u.username)};password=${decodeURIComponent(u.password)};` : "";
    // stdlib_http: Node's http module fails fast on a refused connection (the default undici transport
    // was seen to hang forever). retry_timeout=0: retries are ours, with the whole batch.
    const conf = `${scheme}::addr=${u.hostname}:${port};${auth}auto_flush=off;stdlib_http=on;retry_timeout=0;request_timeout=${this.#opts.requestTimeoutMs};max_buf_size=${this.#opts.maxBufferBytes};`;
    const sender = await Sender.fromConfig(conf);
    this.#all.add(sender);
    return sender;
  }

  async write(rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    const sender = await this.#acquire();
    sender.reset();
    // taken before encoding: a row is committed at most the request timeout (+2 s) after its stamp
    const storedUs = Date.now() * 1000;
    try {
      try {
        for (const row of rows) await appendRow(sender, row, storedUs);
      } catch (e) {
        // the client refused to encode a row (too large for its buffer, a value of the wrong kind)
        throw new RowsRefusedError(`the client could not encode the rows: ${(e as Error).message.slice(0, 300)}`);
      }
      try {
        // a guard on top of the client's own timeout: a flush that never settles must not stall ingest
        await withTimeout(sender.flush(), this.#opts.requestTimeoutMs + 2000, "QuestDB write");
      } catch (e) {
        const message = (e as Error).message ?? String(e);
        if (REFUSED_STATUS.test(message)) throw new RowsRefusedError(message.slice(0, 500));
        throw e;
      }
    } catch (e) {
      sender.reset();
      throw e;
    } finally {
      this.#idle.push(sender);
    }
  }

  async close(): Promise<void> {
    const all = [...this.#all];
    this.#all.clear();
    this.#idle.length = 0;
    await Promise.all(all.map((s) => s.close().catch(() => undefined)));
  }
}

async function appendRow(sender: Sender, row: Row, storedUs: number): Promise<void> {
  sender.table(row.table);
  for (const [name, value] of row.symbols) sender.symbol(name, value);
  for (const f of row.fields) {
    switch (f.kind) {
      case "float":
        sender.floatColumn(f.name, f.value);
        break;
      case "int":
        sender.intColumn(f.name, f.value);
        break;
      case "string":
        sender.stringColumn(f.name, f.value);
        break;
      case "timestamp":
        sender.timestampColumn(f.name, f.micros, "us");
        break;
      case "storedAt":
        sender.timestampColumn(f.name, storedUs, "us");
        break;
      case "array":
        sender.arrayColumn(f.name, f.value);
        break;
    }
  }
  await sender.at(row.ts, "us");
}

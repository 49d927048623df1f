// Writes batches of rows to QuestDB over ILP/HTTP. A batch either lands whole (QuestDB answered 2xx:
// the rows are in its WAL, durable) or the call throws and the caller keeps the batch to retry.
// The client's flush() drops its buffer before sending, so we never rely on it to retry: we rebuild
// the rows on every attempt, and DEDUP keys make a partly-landed earlier attempt harmless.
import { Sender } from "@questdb/nodejs-client";
import type { Row } from "./rows.ts";

export interface RowWriter {
  write(rows: readonly Row[]): Promise<void>;
  close(): Promise<void>;
}

export interface QuestWriterOptions {
  httpUrl: string;
  /** Upper bound for one HTTP request (ms); past it the attempt fails and the batch is retried. */
  requestTimeoutMs?: number;
}

/** Safe for concurrent write() calls: each one uses its own Sender from a small pool. */
export class QuestWriter implements RowWriter {
  readonly #idle: Sender[] = [];
  readonly #all = new Set<Sender>();
  readonly #opts: Required<QuestWriterOptions>;

  constructor(opts: QuestWriterOptions) {
    this.#opts = { requestTimeoutMs: 10_000, ...opts };
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
    const conf = `${scheme}::addr=${u.hostname}:${port};${auth}auto_flush=off;stdlib_http=on;retry_timeout=0;request_timeout=${this.#opts.requestTimeoutMs};`;
    const sender = await Sender.fromConfig(conf);
    this.#all.add(sender);
    return sender;
  }

  async write(rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    const sender = await this.#acquire();
    sender.reset();
    try {
      for (const row of rows) {
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
            case "array":
              sender.arrayColumn(f.name, f.value);
              break;
          }
        }
        await sender.at(row.ts, "us");
      }
      await withTimeout(sender.flush(), this.#opts.requestTimeoutMs + 2000, "QuestDB write timed out");
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

/** A guard on top of the client's own timeout: a promise that never settles must not stall ingest. */
function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

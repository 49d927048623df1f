// Writes batches of rows to QuestDB over ILP/HTTP. A batch either lands whole (QuestDB answered 2xx:
// the rows are in its WAL, durable) or the call throws and the caller keeps the batch to retry.
// Every attempt encodes and stamps the rows again (ilp.ts) and sends them in one POST /write; DEDUP keys
// make a partly-landed earlier attempt harmless. The encoding and the HTTP request are ours, not
// @questdb/nodejs-client's: its per-character encoder was the ingest worker's largest cost.
import http from "node:http";
import https from "node:https";
import { splitCredentials } from "./http.ts";
import { IlpEncoder } from "./ilp.ts";
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
  /** The encoder's buffer limit (bytes): above the largest batch the batcher makes (INGEST_BATCH_BYTES). */
  maxBufferBytes?: number;
}

/** Safe for concurrent write() calls: each one encodes into its own buffer from a small pool. */
export class QuestWriter implements RowWriter {
  readonly #idle: IlpEncoder[] = [];
  readonly #opts: Required<QuestWriterOptions>;
  readonly #target: { url: URL; headers: Record<string, string> };
  readonly #agent: http.Agent;
  #versionChecked: Promise<void> | undefined;

  constructor(opts: QuestWriterOptions) {
    this.#opts = { requestTimeoutMs: 10_000, maxBufferBytes: 64 * 1024 * 1024, ...opts };
    this.#target = splitCredentials(this.#opts.httpUrl);
    const secure = this.#target.url.protocol === "https:";
    this.#agent = secure ? new https.Agent({ keepAlive: true, maxSockets: 16 }) : new http.Agent({ keepAlive: true, maxSockets: 16 });
  }

  async write(rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    this.#versionChecked ??= this.#checkVersion().catch((e) => {
      this.#versionChecked = undefined;
      throw e;
    });
    await this.#versionChecked;
    const encoder = this.#idle.pop() ?? new IlpEncoder(this.#opts.maxBufferBytes);
    try {
      let batch: ReturnType<IlpEncoder["encode"]>;
      try {
        batch = encoder.encode(rows);
      } catch (e) {
        // a row that cannot be encoded (a bad name, a value of the wrong kind, too large for the buffer)
        throw new RowsRefusedError(`the rows could not be encoded: ${(e as Error).message.slice(0, 300)}`);
      }
      // taken just before sending: a row is committed at most the request timeout after its stamp
      IlpEncoder.stamp(batch, Date.now() * 1000);
      try {
        await this.#post(batch.bytes);
      } catch (e) {
        const message = (e as Error).message ?? String(e);
        if (REFUSED_STATUS.test(message)) throw new RowsRefusedError(message.slice(0, 500));
        throw e;
      }
    } finally {
      encoder.shrink(4 * 1024 * 1024);
      this.#idle.push(encoder);
    }
  }

  async close(): Promise<void> {
    this.#idle.length = 0;
    this.#agent.destroy();
  }

  /** ILP v2 (binary doubles and arrays): a QuestDB without it is a clear error, retried (Andon pins 9.3.4). */
  async #checkVersion(): Promise<void> {
    const res = await fetch(new URL("/settings", this.#target.url), {
      headers: this.#target.headers,
      signal: AbortSignal.timeout(this.#opts.requestTimeoutMs),
    });
    if (!res.ok) throw new Error(`QuestDB /settings answered HTTP ${res.status}`);
    const body = (await res.json()) as { config?: Record<string, unknown> };
    const versions = body.config?.["line.proto.support.versions"];
    if (!Array.isArray(versions) || !versions.map(String).includes("2")) {
      throw new Error(
        `QuestDB does not take line protocol v2 (it supports ${JSON.stringify(versions)}): Andon needs a QuestDB that does (it pins 9.3.4, QUESTDB_VERSION)`,
      );
    }
  }

  /** One POST /write; resolves on 204, rejects with the status and QuestDB's answer otherwise (or on a timeout). */
  #post(body: Buffer): Promise<void> {
    const { url, headers } = this.#target;
    const request = url.protocol === "https:" ? https.request : http.request;
    return new Promise<void>((resolve, reject) => {
      const req = request(
        {
          hostname: url.hostname,
          port: url.port || (url.protocol === "https:" ? 443 : 80),
          path: "/write?precision=n",
          method: "POST",
          agent: this.#agent,
          headers: { ...headers, "content-type": "text/plain", "content-length": body.length },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", reject);
          res.on("close", () => {
            if (!res.complete) reject(new Error("QuestDB write: the answer was cut off"));
          });
          res.on("end", () => {
            if (res.statusCode === 204 || res.statusCode === 200) resolve();
            else reject(new Error(`HTTP request failed, statusCode=${res.statusCode}, error=${Buffer.concat(chunks).toString("utf8").slice(0, 1000)}`));
          });
        },
      );
      // the whole request, not only an idle socket: a write that never settles must not stall ingest
      const timer = setTimeout(() => req.destroy(new Error(`QuestDB write: no answer within ${this.#opts.requestTimeoutMs} ms`)), this.#opts.requestTimeoutMs);
      req.on("close", () => clearTimeout(timer));
      req.on("error", reject);
      req.end(body);
    });
  }
}

// Answers that many viewers share: every TV on a shop floor and every browser on the plant page asks
// for the same site's figures every few seconds. Such an answer is computed once per key and kept for
// a short time (WEB_SHARE_MS), and serialized once when the API asks for it. Whoever asks while it is
// being computed joins that computation instead of starting another (however long it takes, up to
// STUCK_MS); once it has expired it is still given (for a few lifetimes) while its successor is
// computed in the background, so a viewer never waits for a computation that someone else started.
// The key must name everything the answer depends on, and it is looked up only after the caller's
// access has been checked.
// The store is an lru-cache (at most MAX_ENTRIES, the least recently asked go first); the lifetimes
// are kept here, not by its ttl/fetch: an answer is given stale only up to STALE_LIFETIMES counted
// from when its computation started, and a computation stuck longer than STUCK_MS is not joined,
// which its fetch() (that joins a pending fetch for as long as it runs) cannot express.
import { LRUCache } from "lru-cache";

interface Entry {
  /** when its computation started */
  at: number;
  ttlMs: number;
  value: Promise<unknown>;
  /** the value's wire form (made once) */
  wired?: Promise<unknown>;
  text?: Promise<string>;
  json?: Promise<Uint8Array<ArrayBuffer>>;
  /** the computation has succeeded */
  done?: boolean;
  /** the computation that will replace this one, while it runs */
  successor?: Entry;
}

// at most this many answers are kept (distinct periods asked recently); the least recently asked go first
const MAX_ENTRIES = 200;

type Store = LRUCache<string, Entry>;
const g = globalThis as unknown as { __andonSharedLru?: Store };
const entries = (): Store => {
  g.__andonSharedLru ??= new LRUCache<string, Entry>({ max: MAX_ENTRIES });
  return g.__andonSharedLru;
};
// an expired answer younger than this many lifetimes is still given while its successor is computed
const STALE_LIFETIMES = 5;
// a computation running longer than this is not joined any more (a hung query must not stall a key)
const STUCK_MS = 30_000;

function start(map: Store, key: string, ttlMs: number, compute: () => Promise<unknown>): Entry {
  const now = Date.now();
  const e: Entry = { at: now, ttlMs, value: compute() };
  if (ttlMs <= 0) return e;
  e.value.then(
    () => {
      e.done = true;
      const cur = map.peek(key);
      // a successor replaces the answer it was started for, nothing else (not an answer computed
      // after a forget, not a newer one)
      if (cur?.successor === e) map.set(key, e);
    },
    () => {
      const cur = map.peek(key);
      if (cur === e) map.delete(key);
      else if (cur?.successor === e) cur.successor = undefined;
    },
  );
  // the answers that can no longer be given go (the cache's cap removes the least recently asked)
  const dead = [...map.entries()].filter(([, x]) => now - x.at >= x.ttlMs * STALE_LIFETIMES && x.done).map(([k]) => k);
  for (const k of dead) map.delete(k);
  return e;
}

function entry(key: string, ttlMs: number, compute: () => Promise<unknown>): Entry {
  const map = entries();
  const now = Date.now();
  const old = map.get(key);
  if (old && now - old.at < ttlMs) return old;
  // still computing: join it, however long it takes (up to STUCK_MS)
  if (old && !old.done && now - old.at < STUCK_MS) return old;
  // expired but recent: give it while the next one is computed (nobody waits for the computation)
  if (old?.done && now - old.at < ttlMs * STALE_LIFETIMES) {
    if (!old.successor || now - old.successor.at >= STUCK_MS) old.successor = start(map, key, ttlMs, compute);
    return old;
  }
  const e = start(map, key, ttlMs, compute);
  if (ttlMs > 0) map.set(key, e);
  return e;
}

// Marks a JsonText made by any copy of this module: the dashboard's Node server loads the hot API
// routes itself (./direct.ts) besides the copy Next.js bundled, and both use the answers kept on
// globalThis, so `instanceof` (one copy's class) would miss the other copy's texts.
const JSON_TEXT = Symbol.for("andon.JsonText");

/**
 * JSON made by the caller, sent as it is (a `wire` that serializes its answer itself): its text, and
 * optionally its UTF-8 bytes made another way (from parts encoded before) — the same bytes as the
 * text's.
 */
export class JsonText {
  readonly [JSON_TEXT] = true;
  #text?: string;
  constructor(
    private readonly make: () => string,
    readonly bytes?: () => Uint8Array<ArrayBuffer>,
  ) {}
  get text(): string {
    this.#text ??= this.make();
    return this.#text;
  }
}

/** A JsonText of this or another copy of this module. */
export const isJsonText = (w: unknown): w is JsonText => typeof w === "object" && w !== null && (w as Record<symbol, unknown>)[JSON_TEXT] === true;

export interface Shared<T> {
  value: Promise<T>;
  /**
   * The value as a JSON response, serialized once per computation (the figures in it are rounded to
   * the millionth where they are made: ./oee-read.ts roundFigures).
   * Compression stays with the server: Next.js drops a route's own content-encoding and gzips.
   */
  json(): Promise<Response>;
  /** The value as JSON text (as json() sends it), serialized once per computation. */
  text(): Promise<string>;
}

/**
 * The answer for `key`: computed by `compute` at most once per `ttlMs` in this server process (0:
 * every time). `wire` gives the form sent as JSON (default: the value itself), or its JSON text.
 */
export function shared<T>(key: string, ttlMs: number, compute: () => Promise<T>, wire: (v: T) => unknown = (v) => v): Shared<T> {
  const e = entry(key, ttlMs, compute);
  const wired = () => {
    e.wired ??= e.value.then((v) => wire(v as T));
    return e.wired;
  };
  const text = () => {
    e.text ??= wired().then((w) => (isJsonText(w) ? w.text : (JSON.stringify(w) ?? "null")));
    return e.text;
  };
  return {
    value: e.value as Promise<T>,
    json: async () => {
      e.json ??= wired().then((w) => (isJsonText(w) && w.bytes ? w.bytes() : text().then((t) => new TextEncoder().encode(t))));
      return new Response(await e.json, { headers: { "content-type": "application/json", "cache-control": "no-store" } });
    },
    text,
  };
}

export const sharedValue = <T>(key: string, ttlMs: number, compute: () => Promise<T>): Promise<T> => shared(key, ttlMs, compute).value;

/**
 * Forgets the shared answers whose key starts with `prefix` (after a change made through this
 * process). Keys end with a separator ("plant:acme/site-1/") so a prefix names whole keys.
 */
export function forgetShared(prefix: string): void {
  const map = entries();
  for (const k of [...map.keys()].filter((x) => x.startsWith(prefix))) map.delete(k);
}

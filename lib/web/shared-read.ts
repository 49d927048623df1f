// Answers that many viewers share: every TV on a shop floor and every browser on the plant page asks
// for the same site's figures every few seconds. Such an answer is computed once per key and kept for
// a short time (WEB_SHARE_MS), and serialized once when the API asks for it; whoever asks
// while it is being computed waits for that same computation instead of starting another, and once
// it has expired it is still given (for a few lifetimes) while its successor is computed in the
// background, so a viewer never waits for a computation that someone else started. The key
// must name everything the answer depends on, and it is looked up only after the caller's access has
// been checked.
interface Entry {
  at: number;
  value: Promise<unknown>;
  json?: Promise<Uint8Array<ArrayBuffer>>;
  /** the computation has succeeded */
  done?: boolean;
  /** a newer computation is on its way */
  refreshing?: boolean;
}

const g = globalThis as unknown as { __andonShared?: Map<string, Entry> };
const entries = () => {
  g.__andonShared ??= new Map();
  return g.__andonShared;
};

// at most this many answers are kept (distinct periods asked recently); the oldest go first
const MAX_ENTRIES = 500;
// an expired answer younger than this many lifetimes is still given while its successor is computed
const STALE_LIFETIMES = 5;

function start(map: Map<string, Entry>, key: string, ttlMs: number, compute: () => Promise<unknown>): Entry {
  const now = Date.now();
  const e: Entry = { at: now, value: compute() };
  if (ttlMs <= 0) return e;
  e.value.then(
    () => {
      e.done = true;
      if (map.get(key) !== e) {
        const old = map.get(key);
        // a refresh replaces the answer it refreshes (not one a change made through this process forgot)
        if (old?.refreshing) map.delete(key);
        else return;
      }
      map.set(key, e);
    },
    () => {
      const cur = map.get(key);
      if (cur === e) map.delete(key);
      else if (cur?.refreshing) cur.refreshing = false;
    },
  );
  for (const [k, x] of map) {
    if (map.size < MAX_ENTRIES && now - x.at < Math.max(ttlMs * STALE_LIFETIMES, 60_000)) break;
    map.delete(k);
  }
  return e;
}

function entry(key: string, ttlMs: number, compute: () => Promise<unknown>): Entry {
  const map = entries();
  const now = Date.now();
  const old = map.get(key);
  if (old && now - old.at < ttlMs) return old;
  // expired but recent: give it while the next one is computed (nobody waits for the computation)
  if (old?.done && now - old.at < ttlMs * STALE_LIFETIMES) {
    if (!old.refreshing) {
      old.refreshing = true;
      start(map, key, ttlMs, compute);
    }
    return old;
  }
  const e = start(map, key, ttlMs, compute);
  if (ttlMs > 0) {
    map.delete(key);
    map.set(key, e);
  }
  return e;
}

/** The value for `key`: computed by `compute` at most once per `ttlMs` in this server process (0: every time). */
export function sharedValue<T>(key: string, ttlMs: number, compute: () => Promise<T>): Promise<T> {
  return entry(key, ttlMs, compute).value as Promise<T>;
}

// Seconds and ratios to the millionth: float noise (0.7791234567891234) would double the size of the
// answers, and every client pays for it in transfer and parsing.
const sixDecimals = (_k: string, v: unknown) => (typeof v === "number" && !Number.isInteger(v) ? Math.round(v * 1e6) / 1e6 : v);

/**
 * The same, as a JSON response, serialized once per computation (numbers to six decimals). (Compression stays with the
 * server: Next.js drops a route's own content-encoding and gzips what it sends.)
 */
export async function sharedJson(key: string, ttlMs: number, compute: () => Promise<unknown>): Promise<Response> {
  const e = entry(key, ttlMs, compute);
  e.json ??= e.value.then((v) => new TextEncoder().encode(JSON.stringify(v, sixDecimals) ?? "null"));
  return new Response(await e.json, { headers: { "content-type": "application/json", "cache-control": "no-store" } });
}

/** Forgets the shared answers whose key starts with `prefix` (after a change made through this process). */
export function forgetShared(prefix: string): void {
  const map = entries();
  for (const k of map.keys()) if (k.startsWith(prefix)) map.delete(k);
}

// The overview's site figures, kept per site in this server process: the roll-ups of closed days
// change only when they are recomputed, so a request first reads a fingerprint of each site's rows
// in its period (which rows, when computed and stored: one small row per site) and computes the
// figures only of the sites whose fingerprint differs from the one they were last computed from
// (their rows are then read as before). Equal fingerprints mean the same rows, computed and stored
// at the same moments: the figures are the ones computed from scratch (the writer stamps
// stored_at on every write, a recompute also computed_at). Their JSON text is kept with them, so
// an answer serializes only what changed (overviewJson).
import { LRUCache } from "lru-cache";
import type pg from "pg";
import { siteRollupFingerprints } from "#lib/adapters/questdb/read-oee.ts";

export interface SiteRef {
  key: string;
  name: string;
  timeZone: string;
}

export interface FiguresQuery {
  granularity: "minute" | "hour" | "shift" | "day";
  from: number;
  to: number;
  last?: number;
  days?: { from: string; to: string };
  elements?: boolean;
}

/** Periods kept: at most 32 days, not minute buckets (bounded rows a site, LONG sums that cannot overflow). */
const MAX_SPAN_MS = 32 * 86_400_000;
export const cacheable = (q: FiguresQuery): boolean => q.granularity !== "minute" && q.to - q.from <= MAX_SPAN_MS;

interface Kept {
  fingerprint: string;
  site: SiteRef;
  figures: object;
  text: string;
  bytes: Uint8Array<ArrayBuffer>;
}

// about 64 MB of JSON text and bytes at most (what the figures take is of the same order); least recently asked go first
const g = globalThis as unknown as { __andonOverview?: LRUCache<string, Kept> };
const store = () => {
  g.__andonOverview ??= new LRUCache<string, Kept>({ maxSize: 64 * 1024 * 1024, sizeCalculation: (k) => Math.max(1, k.text.length + k.bytes.length) });
  return g.__andonOverview;
};

// the JSON text of figures computed here (the kept ones and those of this request)
const texts = new WeakMap<object, string>();

/** JSON.stringify(figures), from the text kept with them where there is one. */
export function figuresJson(figures: object): string {
  let t = texts.get(figures);
  if (t === undefined) {
    t = JSON.stringify(figures);
    texts.set(figures, t);
  }
  return t;
}

const encoder = new TextEncoder();
const byteTexts = new WeakMap<object, Uint8Array<ArrayBuffer>>();

/** figuresJson(figures) in UTF-8, kept with the figures like their text. */
export function figuresBytes(figures: object): Uint8Array<ArrayBuffer> {
  let b = byteTexts.get(figures);
  if (b === undefined) {
    b = encoder.encode(figuresJson(figures));
    byteTexts.set(figures, b);
  }
  return b;
}

const optionsKey = (q: FiguresQuery) => `${q.granularity}|${q.elements !== false}|${q.last ?? ""}|${q.days ? `${q.days.from}..${q.days.to}` : ""}`;

/**
 * compute(pool, sites, q), with each site's figures reused where its rows are those it was last
 * computed from (same options). The sites' order is kept.
 */
export async function cachedSiteFigures<F extends object>(
  pool: pg.Pool,
  sites: readonly SiteRef[],
  q: FiguresQuery,
  compute: (pool: pg.Pool, sites: readonly SiteRef[], q: FiguresQuery) => Promise<F[]>,
): Promise<F[]> {
  const fingerprints = await siteRollupFingerprints(
    pool,
    sites.map((s) => s.key),
    q.granularity,
    q.from,
    q.to,
  );
  const opts = optionsKey(q);
  const out = new Map<string, F>();
  const stale: SiteRef[] = [];
  for (const s of sites) {
    const k = store().get(`${s.key}|${opts}`);
    const fp = fingerprints.get(s.key) ?? "none";
    if (k && k.fingerprint === fp && k.site.name === s.name && k.site.timeZone === s.timeZone) out.set(s.key, k.figures as F);
    else stale.push(s);
  }
  if (stale.length > 0) {
    const fresh = await compute(pool, stale, q);
    stale.forEach((s, i) => {
      const figures = fresh[i] as F;
      out.set(s.key, figures);
      // the fingerprint read before the rows: a change between the two reads is computed again next time
      store().set(`${s.key}|${opts}`, {
        fingerprint: fingerprints.get(s.key) ?? "none",
        site: { ...s },
        figures,
        text: figuresJson(figures),
        bytes: figuresBytes(figures),
      });
    });
  }
  return sites.map((s) => out.get(s.key) as F);
}

/** Forgets the kept figures (tests). */
export function forgetOverview(): void {
  store().clear();
}

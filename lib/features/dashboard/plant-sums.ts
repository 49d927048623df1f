// The plant board's minute sums (each machine's closed minute buckets of the shift, summed), kept per
// site in this server process like its states (./plant-states.ts): a full read sums the minutes up
// to SETTLE_MS before its end (kept) and the rest (the tail) apart; a refresh reads only the tail
// again, from that same point up to the last closed minute, and adds it to what is kept. Everything
// is read again when a minute bucket before the tail was stored since the last read (stored_at, with
// SLACK_MS for the time a row takes to become visible: a recompute after late data), when the window
// starts elsewhere (a new shift) or ends before the kept part, and at the latest after FULL_MS. The
// sums are those of a read of everything, added in another order (doubles: equal to the last bits of
// a sum's rounding; the figures sent are rounded to the millionth).
import { LRUCache } from "lru-cache";
import type pg from "pg";
import { ELEMENT_COLUMNS, type Row, siteMinuteSums, siteMinuteSumsAndStored } from "#lib/adapters/questdb/read-oee.ts";
import type { SitePath } from "#lib/contract/identity.ts";

/** How far before a full read's end its kept part ends (the rest is read again on every refresh). */
export const SETTLE_MS = 120_000;
/** How old the full read may be before everything is read again. */
export const FULL_MS = 60_000;
/** How long after its stored_at a minute bucket is assumed visible to queries. */
export const SLACK_MS = 5_000;

const COLUMNS = [...new Set(Object.values(ELEMENT_COLUMNS))];

interface Kept {
  from: number;
  /** the end of the kept sums (a whole minute) */
  settled: number;
  fullAt: number;
  /** when (wall clock) the full read started: a bucket stored since (less SLACK_MS) may be missing from the kept sums */
  readAt: number;
  /** per machine (area, line, machine), its columns summed over [from, settled) */
  sums: Map<string, Row>;
}

const g = globalThis as unknown as { __andonPlantSums?: LRUCache<string, Kept> };
const store = () => {
  g.__andonPlantSums ??= new LRUCache<string, Kept>({ max: 500 });
  return g.__andonPlantSums;
};

const machineOf = (r: Row) => `${r.area}\u0000${r.line}\u0000${r.machine}`;

/** The rows of `a` plus those of `b`, per machine, each column added (a machine in one only: its row as it is). */
function add(a: ReadonlyMap<string, Row>, b: readonly Row[]): Row[] {
  const out = new Map(a);
  for (const r of b) {
    const k = machineOf(r);
    const x = out.get(k);
    if (!x) {
      out.set(k, r);
      continue;
    }
    const sum: Row = { area: r.area, line: r.line, machine: r.machine };
    for (const c of COLUMNS) sum[c] = x[c] === null || x[c] === undefined ? r[c] : r[c] === null || r[c] === undefined ? x[c] : Number(x[c]) + Number(r[c]);
    out.set(k, sum);
  }
  return [...out.values()];
}

/**
 * siteMinuteSums(pool, site, from, until): the site's minute buckets in [from, until) summed per
 * machine (until: a whole minute), from what is kept where it can be.
 */
export async function keptMinuteSums(pool: pg.Pool, site: SitePath, from: number, until: number, now = Date.now()): Promise<Row[]> {
  const key = `${site.enterprise}/${site.site}`;
  const kept = store().get(key);
  const readAt = Date.now();
  if (!kept || kept.from !== from || now - kept.fullAt >= FULL_MS || until < kept.settled) {
    const settled = Math.max(from, Math.min(until, Math.floor((until - SETTLE_MS) / 60_000) * 60_000));
    const [head, tail] = await Promise.all([
      settled > from ? siteMinuteSums(pool, site, from, settled) : [],
      until > settled ? siteMinuteSums(pool, site, settled, until) : [],
    ]);
    const sums = new Map(head.map((r) => [machineOf(r), r]));
    const cur = store().get(key);
    if (!cur || cur.from !== from || cur.fullAt <= now) store().set(key, { from, settled, fullAt: now, readAt, sums });
    return add(sums, tail);
  }
  // the tail and the check for rewritten minutes before it in one statement (an empty tail reads nothing)
  const { rows: tail, stored: late } =
    kept.settled > from
      ? await siteMinuteSumsAndStored(pool, site, kept.settled, Math.max(until, kept.settled), {
          from,
          to: kept.settled,
          storedSinceMs: kept.readAt - SLACK_MS,
        })
      : { rows: until > kept.settled ? await siteMinuteSums(pool, site, kept.settled, until) : [], stored: false };
  if (late) {
    store().delete(key);
    return keptMinuteSums(pool, site, from, until, now);
  }
  return add(kept.sums, tail);
}

/** Forgets what is kept of a site, or of all (tests). */
export function forgetMinuteSums(site?: SitePath): void {
  if (site) store().delete(`${site.enterprise}/${site.site}`);
  else store().clear();
}

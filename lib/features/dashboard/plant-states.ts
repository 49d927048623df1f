// The raw state changes of a site's machines for the plant board, kept per site in this server
// process and extended on every refresh instead of read again from the start of the shift: a refresh
// reads only the last OVERLAP_MS before what was read last (states stored late by a few seconds, a
// WAL not yet applied, are read again) up to now, and replaces that tail. Everything is read again
// from the start when a state row older than that tail was received since the last read (its
// received_at, with SLACK_MS for the time a row takes to become visible: a device that buffered
// its states, a backfill), when the window starts elsewhere (a new shift), and at the latest after
// FULL_MS (whatever the received_at check could miss, a row visible later than SLACK_MS after it
// was received, shows within FULL_MS). The states are the rows as read (no counts: the board
// takes its OEE from the minute buckets), so a timeline computed from them is the one computed from
// a fresh read of everything, up to those bounds. Per machine, the timeline computed last is kept
// too and reused when nothing it depends on changed but the window's end (./plant-timelines.ts).

import { LRUCache } from "lru-cache";
import type pg from "pg";
import { stateChangesAndLate, stateChangesIn, statesBefore } from "#lib/adapters/questdb/oee-events.ts";
import type { SitePath } from "#lib/contract/identity.ts";
import type { StateEvent } from "#lib/domain/oee/types.ts";

/** How far before the last read's end a refresh reads again. */
export const OVERLAP_MS = 120_000;
/** How old the first read may be before everything is read again. */
export const FULL_MS = 60_000;
/** How long after its received_at a stored row is assumed visible to queries. */
export const SLACK_MS = 5_000;

interface SiteStates {
  /** start of what is kept (the window's start minus its lookback) */
  from: number;
  /** when the full read was made */
  fullAt: number;
  /** the end of the last read merged in */
  until: number;
  /** when (wall clock) the last read merged in started */
  readAt: number;
  /** per machine key, its state rows in time order (repeats of the same state removed) */
  byMachine: Map<string, StateEvent[]>;
}

const g = globalThis as unknown as { __andonPlantStates?: LRUCache<string, SiteStates> };
const store = () => {
  g.__andonPlantStates ??= new LRUCache<string, SiteStates>({ max: 500 });
  return g.__andonPlantStates;
};

const same = (a: StateEvent | undefined, b: StateEvent) => a !== undefined && a.state === b.state && a.code === b.code && a.reason === b.reason;

/** Appends rows (in time order) to a machine's list, skipping repeats of the state before (the core ignores them too). */
function append(list: StateEvent[], e: StateEvent): void {
  const last = list.at(-1);
  if (last && last.ts === e.ts) list.pop();
  if (!same(list.at(-1), e)) list.push(e);
}

function group(rows: readonly { key: string; event: StateEvent }[], into = new Map<string, StateEvent[]>()): Map<string, StateEvent[]> {
  const sorted = [...rows].sort((a, b) => a.event.ts - b.event.ts);
  for (const r of sorted) {
    let list = into.get(r.key);
    if (!list) {
      list = [];
      into.set(r.key, list);
    }
    append(list, r.event);
  }
  return into;
}

/**
 * Each machine's state rows of the site from `from` (with the state it was in then) to `until`, as
 * a read of everything would give them (up to the bounds above). The lists returned are not changed
 * afterwards (a later refresh makes new ones).
 */
export async function siteStates(pool: pg.Pool, site: SitePath, from: number, until: number, now = Date.now()): Promise<Map<string, StateEvent[]>> {
  const key = `${site.enterprise}/${site.site}`;
  const path = [site.enterprise, site.site];
  const kept = store().get(key);
  const readAt = Date.now();
  const full = async () => {
    const [before, inside] = await Promise.all([statesBefore(pool, from, path), stateChangesIn(pool, { start: from, end: until }, path)]);
    const byMachine = group([...before, ...inside]);
    const cur = store().get(key);
    if (!cur || cur.from !== from || cur.fullAt <= now) store().set(key, { from, fullAt: now, until, readAt, byMachine });
    return byMachine;
  };
  if (!kept || kept.from !== from || now - kept.fullAt >= FULL_MS || until < kept.until - OVERLAP_MS) return full();
  const tail = Math.max(from, kept.until - OVERLAP_MS);
  // the tail and the check for late rows before it in one statement
  const { rows, late } =
    tail > from
      ? await stateChangesAndLate(pool, { start: tail, end: until }, { start: from, end: tail, receivedSinceMs: kept.readAt - SLACK_MS }, path)
      : { rows: await stateChangesIn(pool, { start: tail, end: until }, path), late: false };
  if (late) return full();
  // the kept rows before the tail, then the tail as read now
  const byMachine = new Map<string, StateEvent[]>();
  for (const [k, list] of kept.byMachine) {
    let n = list.length;
    while (n > 0 && (list[n - 1] as StateEvent).ts >= tail) n--;
    byMachine.set(k, list.slice(0, n));
  }
  group(rows, byMachine);
  // the newest read is kept (a slower, older one does not replace it)
  const cur = store().get(key);
  if (cur === kept && until >= kept.until) store().set(key, { ...kept, until, readAt, byMachine });
  return byMachine;
}

/** The same read without keeping anything (a window that is not the board's: the shift report). */
export async function readSiteStates(pool: pg.Pool, site: SitePath, from: number, until: number): Promise<Map<string, StateEvent[]>> {
  const path = [site.enterprise, site.site];
  const [before, inside] = await Promise.all([statesBefore(pool, from, path), stateChangesIn(pool, { start: from, end: until }, path)]);
  return group([...before, ...inside]);
}

/** Forgets what is kept of a site (tests; a change that rewrote its raw states). */
export function forgetSiteStates(site?: SitePath): void {
  if (site) store().delete(`${site.enterprise}/${site.site}`);
  else store().clear();
}

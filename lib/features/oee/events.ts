// The raw events the OEE core needs for a whole fleet and a time range, read from QuestDB in time
// chunks that run concurrently (QuestDB runs window functions on one thread per query). The reduction
// (lib/adapters/questdb/oee-events.ts) changes no result: count chunks are cut at every bucket
// boundary, and between two kept samples both counters only rose, so the core's sum of increases over
// the kept samples equals the sum over all of them, bucket by bucket; with startup windows, every
// rise of the reject counter is kept, so each startup reject is counted at its own sample's time.

import type pg from "pg";
import { countBaseline, countsKeptIn, stateChangesIn, statesBefore } from "#lib/adapters/questdb/oee-events.ts";
import type { MachineKey, MachinePath, SitePath } from "#lib/contract/identity.ts";
import { chunks, dedupeCounts } from "#lib/domain/oee/read-chunks.ts";
import type { CountEvent, Interval, StateEvent } from "#lib/domain/oee/types.ts";

export interface MachineEvents {
  states: StateEvent[];
  counts: CountEvent[];
}

export interface FleetQuery {
  /** Buckets will be computed inside this range. */
  range: Interval;
  /** Every bucket boundary inside the range (count chunks are cut there). */
  boundaries: readonly number[];
  /** How far before the range to look for the start of the state running at its start, ms. */
  lookbackMs: number;
  /** How far after the range to look for the end of the state running at its end, ms. */
  lookaheadMs: number;
  /** Split the range into at least this many chunks to use more than one QuestDB worker. */
  parallelism?: number;
  /** Keep every count sample whose reject counter rose (needed where startup rejects are counted). */
  rejectRises?: boolean;
  /** Only this machine (default: every machine). */
  only?: MachinePath;
  /** Only this site's machines. */
  site?: SitePath;
}

/** The events of every machine with data, keyed by machine key, for computing any bucket inside q.range. */
export async function loadFleetEvents(pool: pg.Pool, q: FleetQuery): Promise<Map<string, MachineEvents>> {
  const p = Math.max(1, q.parallelism ?? 2);
  const stateFrom = q.range.start - q.lookbackMs;
  const stateTo = q.range.end + q.lookaheadMs;
  const stateChunks = chunks(stateFrom, stateTo, [], p);
  const countChunks = chunks(q.range.start, q.range.end, q.boundaries, p);
  const path = q.only ? [q.only.enterprise, q.only.site, q.only.area, q.only.line, q.only.machine] : q.site ? [q.site.enterprise, q.site.site] : [];
  const [before, inside, base, counted] = await Promise.all([
    statesBefore(pool, stateFrom, path),
    Promise.all(stateChunks.map((c) => stateChangesIn(pool, c, path))),
    countBaseline(pool, q.range.start, path),
    Promise.all(countChunks.map((c) => countsKeptIn(pool, c, path, q.rejectRises ?? false))),
  ]);
  const out = new Map<MachineKey, MachineEvents>();
  const of = (k: MachineKey) => {
    let e = out.get(k);
    if (!e) {
      e = { states: [], counts: [] };
      out.set(k, e);
    }
    return e;
  };
  for (const r of [...before, ...inside.flat()]) of(r.key).states.push(r.event);
  for (const r of [...base, ...counted.flat()]) of(r.key).counts.push(...r.events);
  for (const e of out.values()) {
    e.states.sort((a, b) => a.ts - b.ts);
    e.counts = dedupeCounts(e.counts);
  }
  return out;
}

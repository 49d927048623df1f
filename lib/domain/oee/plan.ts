// Which buckets a run computes: the ones that just closed (scheduled runs) or the ones that late
// data or a corrected reason touched (recompute runs). Pure: the clock comes in as an argument.

import { type Bucket, type BucketPlace, bucketsEndingIn, bucketsOverlapping, type Granularity } from "./buckets.ts";
import type { Interval } from "./types.ts";

/** A bucket is computed this long after it closes at the latest, and again by the next runs. */
export const SCHEDULES: Record<Granularity, { everyMs: number; closedWithinMs: number }> = {
  // every minute: the minutes that closed in the last 5 minutes (each minute is computed 5 times), so
  // the last run of a minute sees it settled (lib/domain/oee/minute-sums.ts: micro-stop threshold +
  // 60 s, 3 min with the default threshold of 120 s); hours, shifts and days are summed from them
  minute: { everyMs: 60_000, closedWithinMs: 5 * 60_000 },
  // every 5 minutes: the buckets that closed in the last 11 minutes (each computed twice or 3 times)
  hour: { everyMs: 5 * 60_000, closedWithinMs: 11 * 60_000 },
  shift: { everyMs: 5 * 60_000, closedWithinMs: 11 * 60_000 },
  day: { everyMs: 5 * 60_000, closedWithinMs: 11 * 60_000 },
};

export type Select = (place: BucketPlace) => Bucket[];

const uniq = (bs: Bucket[]) => [...new Map(bs.map((b) => [`${b.start}|${b.label}`, b])).values()].sort((a, b) => a.start - b.start);

/**
 * Days are chosen by local date: a date one site closed is recomputed at every site where it has
 * closed too, so the enterprise sum of that date is complete once the last site closes it.
 */
function daysByLabel(labels: Set<string>, now: number): Select {
  return (place) => {
    const out: Bucket[] = [];
    for (const label of labels) {
      const utcMidnight = Date.parse(`${label}T00:00:00Z`);
      for (const b of bucketsOverlapping("day", place, utcMidnight - 15 * 3_600_000, utcMidnight + 39 * 3_600_000)) {
        if (b.label === label && b.end <= now) out.push(b);
      }
    }
    return uniq(out);
  };
}

/** The buckets that closed in (from, to], for every machine place (days: by local date, see above). */
export function closedSelect(g: Granularity, places: readonly BucketPlace[], from: number, to: number): Select {
  if (g === "day") {
    const labels = new Set(places.flatMap((p) => bucketsEndingIn("day", p, from, to).map((b) => b.label)));
    return daysByLabel(labels, to);
  }
  return (place) => bucketsEndingIn(g, place, from, to);
}

/** The buckets that closed in the scheduled look-back, for every machine place. */
export function scheduledSelect(g: Granularity, places: readonly BucketPlace[], now: number): Select {
  return closedSelect(g, places, now - SCHEDULES[g].closedWithinMs, now);
}

export interface CatchUpLimits {
  /** the oldest a run goes back (the raw data's retention): older buckets are given up */
  maxBackMs: number;
  /** one piece's span, so one load never reads days of data */
  pieceMs: number;
  /** a run starts no new piece after this long, so a long catch-up does not hold the queue for the other granularities */
  budgetMs: number;
}

export const CATCH_UP: CatchUpLimits = { maxBackMs: 30 * 24 * 3_600_000, pieceMs: 6 * 3_600_000, budgetMs: 60_000 };

/**
 * What a scheduled run of granularity `g` computes, oldest first: the buckets that closed after the
 * cursor (every bucket ending at or before it was computed at least once), and the scheduled
 * look-back (buckets still receiving data less than a minute late). Without a cursor (a first start)
 * only the look-back. The cursor moves to each piece's end once that piece is written; a run past
 * its time budget leaves the rest, newer, to the next run.
 */
export function closedRunPieces(g: Granularity, cursor: number | undefined, now: number, limits: CatchUpLimits = CATCH_UP): Interval[] {
  const lookBack = now - SCHEDULES[g].closedWithinMs;
  const pieces: Interval[] = [];
  for (let from = Math.max(Math.min(cursor ?? lookBack, lookBack), now - limits.maxBackMs); from < now; ) {
    const end = Math.min(now, from + limits.pieceMs);
    pieces.push({ start: from, end });
    from = end;
  }
  return pieces;
}
/**
 * How far a scheduled run of granularity g may go at `now`. Hours, shifts and days are sums of minute
 * rows: they wait until the minute runs have computed their minutes for the last time (the minute
 * look-back after the minute cursor), so a bucket is summed from settled minutes and not computed
 * on the raw events because its last minutes were too fresh. A minute cursor behind the clock
 * (a minute catch-up) holds them back too. Exactness does not depend on this (a bucket whose minutes
 * are not usable is computed on the raw events); speed does.
 */
export function closedHorizon(g: Granularity, now: number, minuteCursor: number | undefined): number {
  if (g === "minute") return now;
  return Math.min(now, minuteCursor ?? now) - SCHEDULES.minute.closedWithinMs;
}

/**
 * The span a change to one machine's events in [t.start, t.end) can alter, given the first state
 * change and count sample at or after t.end (lib/adapters/questdb/oee-reach.ts):
 * - back to `backMs` before (late events: a stop that ended inside may have started up to the
 *   micro-stop threshold before, small stop or not; reason edits: 0);
 * - forward to the next state change (the state running at t.end now started inside, so every
 *   minute of it until the next change may have another state or start), plus the startup window
 *   (a restart's rejects) and the threshold (a small-stop test), and to the next count sample (its
 *   increase is counted from the last sample inside). With no later change: up to now.
 * Capped at `now`. Recomputing the minutes of this span, then every coarser bucket they fall in,
 * gives what the raw events give.
 */
export function reachOf(
  t: Interval,
  next: { stateChange: number | null | undefined; countSample: number | undefined },
  o: { backMs: number; thresholdMs: number; startupMs: number; now: number },
): Interval {
  const change = next.stateChange ?? o.now;
  const end = Math.max(t.end + Math.max(o.thresholdMs, o.startupMs), change + Math.max(o.thresholdMs, o.startupMs) + 1, (next.countSample ?? t.end) + 1);
  return { start: t.start - o.backMs, end: Math.min(o.now, Math.max(t.end, end)) };
}

/** Intervals cut into pieces no longer than maxMs, so one load never reads days of data. */
export function pieces(touched: readonly Interval[], maxMs = 6 * 3_600_000): Interval[] {
  return touched.flatMap((t) => {
    const out: Interval[] = [];
    for (let s = t.start; s < t.end; s += maxMs) out.push({ start: s, end: Math.min(t.end, s + maxMs) });
    return out;
  });
}

/** The closed buckets that overlap any touched interval. */
export function touchedSelect(g: Granularity, places: readonly BucketPlace[], touched: readonly Interval[], now: number): Select {
  const overlapping = (place: BucketPlace) => uniq(touched.flatMap((t) => bucketsOverlapping(g, place, t.start, t.end)).filter((b) => b.end <= now));
  if (g === "day") return daysByLabel(new Set(places.flatMap((p) => overlapping(p).map((b) => b.label))), now);
  return overlapping;
}

/** Touched intervals grouped into clusters no wider than maxSpanMs, so one load never reads weeks of data. */
export function clusters(touched: readonly Interval[], maxSpanMs = 6 * 3_600_000): Interval[][] {
  const sorted = [...touched].sort((a, b) => a.start - b.start);
  const out: Interval[][] = [];
  let cur: Interval[] = [];
  for (const t of sorted) {
    const first = cur[0];
    if (first && t.end - first.start > maxSpanMs) {
      out.push(cur);
      cur = [];
    }
    cur.push(t);
  }
  if (cur.length) out.push(cur);
  return out;
}

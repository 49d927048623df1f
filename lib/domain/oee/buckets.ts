// The buckets OEE is computed for. Minute and hour buckets are UTC-aligned (every zone in use is a
// whole number of minutes off UTC; a half-hour zone's local hours are read from minute buckets). Shift
// and day buckets follow the site: each shift instance of the line's calendar, and each local
// calendar day of the site's time zone (23 or 25 h long on a daylight-saving change).
import { localDays, shiftInstances } from "./calendar.ts";
import type { ShiftDef } from "./types.ts";

export const GRANULARITIES = ["minute", "hour", "shift", "day"] as const;
export type Granularity = (typeof GRANULARITIES)[number];

const FIXED = { minute: 60_000, hour: 3_600_000 } as const;

export interface Bucket {
  start: number;
  end: number;
  /** Shift name, or the local date (YYYY-MM-DD) of a day; empty for minute and hour buckets. */
  label: string;
}

export interface BucketPlace {
  timeZone: string;
  shifts: readonly ShiftDef[];
}

/** Every bucket of granularity g for a machine at `place` that overlaps [from, to). */
export function bucketsOverlapping(g: Granularity, place: BucketPlace, from: number, to: number): Bucket[] {
  if (to <= from) return [];
  switch (g) {
    case "minute":
    case "hour": {
      const size = FIXED[g];
      const out: Bucket[] = [];
      for (let t = Math.floor(from / size) * size; t < to; t += size) out.push({ start: t, end: t + size, label: "" });
      return out;
    }
    case "day":
      return localDays({ start: from, end: to }, place.timeZone).map((d) => ({ start: d.start, end: d.end, label: d.localDate }));
    case "shift":
      return shiftInstances({ start: from, end: to }, place.timeZone, place.shifts).map((s) => ({
        start: s.start,
        end: s.end,
        label: `${s.localDate} ${s.name}`,
      }));
  }
}

/** The buckets of granularity g that ended in (from, to]: the ones a scheduled run closes. */
export function bucketsEndingIn(g: Granularity, place: BucketPlace, from: number, to: number): Bucket[] {
  // a bucket ending in (from, to] started at most its length (≤ 25 h, or a shift ≤ 24 h) before `to`
  return bucketsOverlapping(g, place, from - 26 * 3_600_000, to).filter((b) => b.end > from && b.end <= to);
}

// The periods a shift report can cover: each shift instance of the site's calendar and each local
// day of its time zone that has started in the last days, newest first. Pure.
import { type BucketPlace, bucketsOverlapping } from "./buckets.ts";

export type ReportKind = "shift" | "day";

export interface ReportPeriod {
  kind: ReportKind;
  /** How a link names it: the shift's start instant (ISO) or the day's local date. */
  id: string;
  /** "2026-12-04 Early" or "2026-12-04". */
  label: string;
  start: number;
  end: number;
  /** Ended at `now`: its figures no longer change (apart from late data and reasons given later). */
  complete: boolean;
}

const DAY = 86_400_000;

/** Shifts and local days that started in the `days` days before `now`, newest first. */
export function reportPeriods(place: BucketPlace, now: number, days = 7): ReportPeriod[] {
  const from = now - days * DAY;
  const started = (b: { start: number }) => b.start >= from && b.start <= now;
  const shifts = bucketsOverlapping("shift", place, from, now + 1)
    .filter(started)
    .map((b): ReportPeriod => ({ kind: "shift", id: new Date(b.start).toISOString(), label: b.label, start: b.start, end: b.end, complete: b.end <= now }));
  const dayList = bucketsOverlapping("day", place, from, now + 1)
    .filter(started)
    .map((b): ReportPeriod => ({ kind: "day", id: b.label, label: b.label, start: b.start, end: b.end, complete: b.end <= now }));
  return [...shifts, ...dayList].sort((a, b) => b.start - a.start || (a.kind === "shift" ? 1 : -1));
}

/**
 * The period asked for (`shift` = its start instant, `day` = its local date), or by default the last
 * complete shift (the last complete day where the site has no shift calendar). Undefined when the
 * period asked for is not one of the recent ones.
 */
export function pickPeriod(periods: readonly ReportPeriod[], ask: { shift?: string; day?: string }): ReportPeriod | undefined {
  if (ask.shift !== undefined) {
    const at = Date.parse(ask.shift);
    return periods.find((p) => p.kind === "shift" && p.start === at);
  }
  if (ask.day !== undefined) return periods.find((p) => p.kind === "day" && p.id === ask.day);
  return periods.find((p) => p.kind === "shift" && p.complete) ?? periods.find((p) => p.kind === "day" && p.complete) ?? periods[0];
}

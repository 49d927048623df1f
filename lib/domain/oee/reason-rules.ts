// Which downtime-reason edits are allowed: an interval that ended, no older than 30 days, and only
// stop time (never production). Pure: the clock and the timeline come in as arguments.

import type { TimelineEntry } from "./timeline.ts";

/** How far back a reason may be assigned. */
export const REASON_MAX_AGE_MS = 30 * 86_400_000;

/** Why [start, end) cannot get a reason at `now`, or undefined when it can. */
export function intervalProblem(start: number, end: number, now: number): string | undefined {
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) return "end must be after start";
  if (end > now) return "the interval ends in the future";
  if (start < now - REASON_MAX_AGE_MS) return "the interval starts more than 30 days ago";
  return undefined;
}

/** The first piece of the timeline where the machine was producing: it cannot get a downtime reason. */
export const producing = (timeline: readonly TimelineEntry[]): TimelineEntry | undefined =>
  timeline.find((t) => t.loss === "PRODUCTIVE" || t.loss === "REDUCED_SPEED");

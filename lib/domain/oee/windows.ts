// OEE of one machine over many windows (for example every minute of a shift) without re-reading the
// whole event stream for each: the state changes are found and the counts sorted once, and each window
// gets only the events computeOee can look at. The result of every window equals computeOee on all the
// events (test/unit/oee-windows.test.ts). Pure.

import { computeOee } from "./compute.ts";
import { stateChanges } from "./timeline.ts";
import type { CountEvent, Interval, OeeInput, OeeResult, StateEvent } from "./types.ts";

/** Index of the first element whose ts is >= t (list sorted by ts). */
function firstAtOrAfter(list: readonly { ts: number }[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as { ts: number }).ts < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The state changes computeOee reads for window w: the one running at the start of the startup
 * look-back (w.start − startup window, so a restart just before the window is still seen with the stop
 * before it), every change up to the window's end, and the first change at or after it (the end of the
 * state running at the window's end). A slice of a change list is a change list: repeats stay removed.
 */
export function statesFor(changes: readonly StateEvent[], w: Interval, startupMs: number): StateEvent[] {
  const from = Math.min(w.start, w.start - startupMs);
  const lo = Math.max(0, firstAtOrAfter(changes, from + 1) - 1);
  const hi = Math.min(changes.length, firstAtOrAfter(changes, w.end) + 1);
  return changes.slice(lo, hi);
}

/** The count events countsInWindow reads for w: the last cumulative sample before it (the baseline) and those inside. */
export function countsFor(sorted: readonly CountEvent[], w: Interval): CountEvent[] {
  const i0 = firstAtOrAfter(sorted, w.start);
  const i1 = firstAtOrAfter(sorted, w.end);
  let j = i0 - 1;
  while (j >= 0 && (sorted[j] as CountEvent).mode !== "cumulative") j--;
  return sorted.slice(j >= 0 ? j : i0, i1);
}

/** computeOee for each window, with the same inputs otherwise. */
export function computeWindows(base: Omit<OeeInput, "window">, windows: readonly Interval[]): OeeResult[] {
  const changes = stateChanges(base.states);
  // stable: a sample kept just before a decrease at the same ts stays before it
  const counts = [...base.counts].sort((a, b) => a.ts - b.ts);
  const startupMs = (base.mapping.startupWindowS ?? 0) * 1000;
  return windows.map((w) => computeOee({ ...base, window: w, states: statesFor(changes, w, startupMs), counts: countsFor(counts, w) }));
}

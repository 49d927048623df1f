// A coarser bucket (hour, shift, day) as the sum of a machine's minute buckets. Every time element
// and count of the core adds up over adjacent windows (test/unit/oee-properties.test.ts: "splitting
// a window into parts and rolling them up gives the whole"), so a shift summed from its minute rows
// equals the shift computed on the raw events, provided the minute rows are the ones the raw events
// give now. `minuteSumUsable` says when that is known; otherwise the caller computes from raw events.
// Pure.

import { flagsOf, kpisOf, lossesOf } from "./kpis.ts";
import { LATE_AFTER_MICROS } from "./late.ts";
import type { DataQualityFlag, Interval, OeeResult, TimeElements } from "./types.ts";

export const MINUTE_MS = 60_000;

/** Time elements measured on the clock (whole ms); netRunS and fullyProductiveS are counts × cycle time. */
const TIMES: ReadonlySet<string> = new Set(["calendarS", "plannedBusyS", "breakdownS", "setupS", "otherStopS", "runS", "smallStopS", "dataGapS"]);

/** The additive columns of a machine's minute rows, summed over one bucket. */
export interface MinuteSum {
  /** Minute rows found in the bucket (one per minute at most: DEDUP keys). */
  rows: number;
  /** Rows computed before their minute could be final (see settleMs). */
  unsettled: number;
  /** Distinct mapping versions and ideal cycle times of the rows. */
  mappingVersions: string[];
  idealCycleTimes: number[];
  /** Flags of the rows' counters (reset, rollover, ignored deltas): the union is the bucket's. */
  counterFlags: DataQualityFlag[];
  elements: Omit<TimeElements, "plannedStopS" | "good">;
}

/** Flags that describe counter samples, not sums: true of the bucket when true of one of its minutes. */
export const COUNTER_FLAGS: ReadonlySet<DataQualityFlag> = new Set(["counter_reset", "counter_rollover", "negative_delta_ignored"]);

/**
 * How long after a minute's end its row is final: a stop that started just before the end is a small
 * stop or not once it has lasted the micro-stop threshold, and events up to LATE_AFTER late are not
 * marked late (so nothing recomputes the minute for them). A row computed earlier may be out of date.
 */
export function settleMs(microStopThresholdS: number): number {
  return microStopThresholdS * 1000 + LATE_AFTER_MICROS / 1000;
}

export type Unusable = "not_minute_aligned" | "minutes_missing" | "minutes_unsettled" | "mapping_changed" | "ideal_cycle_changed" | "data_gap";

/**
 * Why the minute rows cannot give this bucket exactly, or null when they can:
 * - the bucket must be whole minutes (a shift or day in a zone with a sub-minute offset is not);
 * - every minute must have its row, computed after it settled, with the machine's current mapping
 *   version and ideal cycle time (a change without a recompute would mix two definitions);
 * - no data gap: time before a machine's first event is an unknown state whose small-stop test
 *   depends on where the window starts, so it does not add up over minutes (a bucket that is all
 *   gap, with no small stop, does).
 */
export function minuteSumUsable(s: MinuteSum | undefined, bucket: Interval, mappingVersion: string, idealCycleTimeS: number): Unusable | null {
  if (bucket.start % MINUTE_MS !== 0 || bucket.end % MINUTE_MS !== 0) return "not_minute_aligned";
  if (!s || s.rows !== (bucket.end - bucket.start) / MINUTE_MS) return "minutes_missing";
  if (s.unsettled > 0) return "minutes_unsettled";
  if (s.mappingVersions.length !== 1 || s.mappingVersions[0] !== mappingVersion) return "mapping_changed";
  if (s.idealCycleTimes.length !== 1 || s.idealCycleTimes[0] !== idealCycleTimeS) return "ideal_cycle_changed";
  // a bucket wholly without data (a machine that never sent) adds up: every minute is an unknown
  // stop, never a small one (unless its first event follows within the threshold: smallStopS > 0)
  const wholeGap = Math.round(s.elements.dataGapS * 1000) === bucket.end - bucket.start && s.elements.smallStopS === 0;
  if (s.elements.dataGapS > 0 && !wholeGap) return "data_gap";
  return null;
}

/** The bucket's result from its summed minutes: KPIs, losses and flags from the sums, as the core computes them. */
export function resultFromMinutes(s: MinuteSum, mappingVersion: string, idealCycleTimeS: number): OeeResult {
  // durations are whole milliseconds: a sum of 480 minute values carries float residue (a run time
  // of 1e-13 s where the whole shift has 0), so it is rounded back to the millisecond
  const ms = (x: number) => Math.round(x * 1000) / 1000;
  const e = Object.fromEntries(Object.entries(s.elements).map(([k, v]) => [k, TIMES.has(k) ? ms(v) : v])) as MinuteSum["elements"];
  const elements: TimeElements = {
    calendarS: e.calendarS,
    plannedStopS: e.calendarS - e.plannedBusyS,
    plannedBusyS: e.plannedBusyS,
    breakdownS: e.breakdownS,
    setupS: e.setupS,
    otherStopS: e.otherStopS,
    runS: e.runS,
    smallStopS: e.smallStopS,
    netRunS: e.netRunS,
    fullyProductiveS: e.fullyProductiveS,
    dataGapS: e.dataGapS,
    total: e.total,
    reject: e.reject,
    startupReject: e.startupReject,
    good: e.total - e.reject,
    failures: e.failures,
  };
  return {
    mappingVersion,
    elements,
    kpis: kpisOf(elements),
    losses: lossesOf(elements, idealCycleTimeS),
    flags: [...flagsOf(elements), ...s.counterFlags.filter((f) => COUNTER_FLAGS.has(f))],
  };
}

// Late data: state or counts that arrive after the OEE jobs computed their minute. The ingest leaves
// a mark per machine and event minute; the late scan recomputes every bucket those minutes touch.
// Pure: the clock comes in as an argument.

import type { Interval } from "./types.ts";

const MINUTE_MS = 60_000;
const MINUTE_MICROS = 60_000_000;

/** OEE buckets are computed up to a minute after they close; state or counts older than this are late. */
export const LATE_AFTER_MICROS = 60_000_000;

/** Only state and counts feed OEE: other channels are never late for it. */
export function isLate(channel: string, tsMicros: number, nowMicros: number): boolean {
  return (channel === "state" || channel === "counts") && tsMicros < nowMicros - LATE_AFTER_MICROS;
}

/** The mark's timestamp (µs): the start of the event's minute, so marks of one minute are one row (DEDUP). */
export const lateMarkMicros = (tsMicros: number): number => Math.floor(tsMicros / MINUTE_MICROS) * MINUTE_MICROS;

/** The interval a mark makes dirty: its whole minute. */
export const markedMinute = (markMs: number): Interval => ({ start: markMs, end: markMs + MINUTE_MS });

/** Where a late scan starts reading marks and edits when it last got to `watermark` (ten minutes back without one). */
export function lateScanFrom(watermark: number | undefined, now: number): number {
  const since = watermark ?? now - 10 * MINUTE_MS;
  // 2 minutes of overlap: a mark written just before the last scan may have become visible after it
  return since - 2 * MINUTE_MS;
}

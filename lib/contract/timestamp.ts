// Device event timestamps of the MQTT contract (docs/mqtt.md). Pure.
import { preview } from "./preview.ts";

/** Epoch microseconds (what QuestDB stores as TIMESTAMP). */
export type EpochMicros = number & { readonly __brand: "EpochMicros" };

/**
 * The range a device timestamp may take: from the Unix epoch up to (not including) 2200-01-01 UTC.
 * Epoch microseconds up to there are exact as JavaScript numbers (below 2^53), QuestDB's designated
 * timestamps are never negative, and a JavaScript Date holds every one of them.
 */
export const TS_MIN_MS = 0;
export const TS_MAX_MS = Date.UTC(2200, 0, 1);

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;
const RANGE = "between 1970-01-01 and 2200-01-01 UTC";

/** ISO 8601 with an explicit offset (µs precision kept) or integer epoch milliseconds → epoch µs. */
export function parseTimestamp(v: unknown): EpochMicros | string {
  if (typeof v === "number") {
    if (!Number.isInteger(v) || v < 0) return `ts as a number must be integer epoch milliseconds, got ${preview(v)}`;
    if (v >= TS_MAX_MS) return `ts ${preview(v)} is not ${RANGE} (epoch milliseconds; nanoseconds or microseconds sent by mistake?)`;
    return (v * 1000) as EpochMicros;
  }
  if (typeof v !== "string") return `ts must be an ISO 8601 string with offset or epoch milliseconds, got ${preview(v)}`;
  const m = ISO.exec(v);
  if (!m) return `ts ${preview(v, 40)} is not ISO 8601 with an offset (e.g. 2026-11-25T08:00:00.123Z)`;
  const [y, mo, d, h, mi, sec] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  // Date.UTC maps years 0-99 to 1900-1999: outside the range anyway, said so before it can mislead
  if (y < 1969 || y > 2200) return `ts ${preview(v, 40)} is not ${RANGE}`;
  const wall = Date.UTC(y, mo - 1, d, h, mi, sec);
  const check = new Date(wall);
  // Date.UTC rolls 2026-02-30 over to March; a real calendar date reads back the same.
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || sec > 59) {
    return `ts ${preview(v, 40)} is not a valid date`;
  }
  const zone = m[8] ?? "Z";
  const offsetMin = zone === "Z" ? 0 : (zone[0] === "-" ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  if (offsetMin < -18 * 60 || offsetMin > 18 * 60) return `ts ${preview(v, 40)} has an offset beyond ±18:00`;
  const ms = wall - offsetMin * 60_000;
  if (ms < TS_MIN_MS || ms >= TS_MAX_MS) return `ts ${preview(v, 40)} is not ${RANGE}`;
  const micros = Number(`${m[7] ?? ""}000000`.slice(0, 6));
  return (ms * 1000 + micros) as EpochMicros;
}

/** An epoch-µs instant as ISO 8601 for messages; never throws (out-of-range values are printed as numbers). */
export function isoOrNumber(micros: number): string {
  const ms = micros / 1000;
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : `${micros} µs`;
}

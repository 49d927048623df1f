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
  return (isoMicros(v) as EpochMicros | undefined) ?? isoBySpec(v);
}

/** ISO 8601 text with an offset → epoch µs, or why not: the contract's reading, by its regular expression and Date. */
export function isoBySpec(v: string): EpochMicros | string {
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

const digit = (s: string, i: number): number => {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : Number.NaN;
};
const two = (s: string, i: number): number => digit(s, i) * 10 + digit(s, i + 1);
const DAYS_BEFORE_MONTH = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/**
 * The usual timestamp (`2026-11-25T08:00:00.123456Z`, or with an offset) read digit by digit, without
 * the regular expression and the Date objects of parseTimestamp: one of the ingest worker's larger costs
 * per message. undefined for anything else, valid or not: parseTimestamp then decides and explains.
 * Same result as isoBySpec wherever it gives one (test/unit/payloads-fast.test.ts).
 */
export function isoMicros(v: string): number | undefined {
  const n = v.length;
  if (n < 20 || n > 35 || v[4] !== "-" || v[7] !== "-" || v[10] !== "T" || v[13] !== ":" || v[16] !== ":") return undefined;
  const y = two(v, 0) * 100 + two(v, 2);
  const mo = two(v, 5);
  const d = two(v, 8);
  const h = two(v, 11);
  const mi = two(v, 14);
  const sec = two(v, 17);
  // NaN (a non-digit) fails every comparison below
  if (!(y >= 1970 && y < 2200 && mo >= 1 && mo <= 12 && d >= 1 && h <= 23 && mi <= 59 && sec <= 59)) return undefined;
  const monthDays = mo === 2 ? (isLeap(y) ? 29 : 28) : mo === 4 || mo === 6 || mo === 9 || mo === 11 ? 30 : 31;
  if (d > monthDays) return undefined;
  let i = 19;
  let micros = 0;
  if (v[i] === ".") {
    let k = 0;
    for (i++; i < n && k < 9; i++, k++) {
      const c = digit(v, i);
      if (Number.isNaN(c)) break;
      if (k < 6) micros = micros * 10 + c;
    }
    if (k === 0) return undefined;
    for (; k < 6; k++) micros *= 10;
  }
  let offsetMin = 0;
  if (v[i] === "Z" && i + 1 === n) {
    // UTC
  } else if ((v[i] === "+" || v[i] === "-") && i + 6 === n && v[i + 3] === ":") {
    const oh = two(v, i + 1);
    const om = two(v, i + 4);
    if (!(oh <= 18 && om <= 59)) return undefined;
    offsetMin = (v[i] === "-" ? -1 : 1) * (oh * 60 + om);
    if (offsetMin < -18 * 60 || offsetMin > 18 * 60) return undefined;
  } else return undefined;
  const leapDay = mo > 2 && isLeap(y) ? 1 : 0;
  const yearsBefore = y - 1970;
  // days from 1970-01-01 to Jan 1 of y: leap years in [1970, y)
  const leaps = Math.floor((y - 1969) / 4) - Math.floor((y - 1901) / 100) + Math.floor((y - 1601) / 400);
  const days = yearsBefore * 365 + leaps + (DAYS_BEFORE_MONTH[mo - 1] as number) + leapDay + d - 1;
  const ms = ((days * 24 + h) * 60 + mi) * 60_000 + sec * 1000 - offsetMin * 60_000;
  if (ms < TS_MIN_MS || ms >= TS_MAX_MS) return undefined;
  return ms * 1000 + micros;
}

// Planned intervals from a shift calendar read in the site's IANA time zone. Exact across midnight
// and daylight-saving changes: each shift start and end is a local wall-clock time turned into an
// instant, so a night shift over a DST change lasts 7 or 9 hours, as it really does.
import type { Interval, Plan, ShiftDef } from "./types.ts";

const MIN = 60_000;
const DAY = 86_400_000;
const SLOT = 15 * MIN;
const formatters = new Map<string, Intl.DateTimeFormat>();
/** zone -> 15-minute slot -> offset (ms); bounded */
const offsets = new Map<string, Map<number, number>>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * Offset of the zone from UTC at an instant, ms. Asking Intl is slow (formatToParts), so it is asked
 * once per zone and 15-minute slot: every UTC offset in use is a multiple of 15 minutes and changes
 * at a local wall-clock time on a quarter hour, so it is constant within a UTC slot.
 */
function offsetAt(epochMs: number, timeZone: string): number {
  const slot = Math.floor(epochMs / SLOT);
  let zone = offsets.get(timeZone);
  if (!zone) {
    zone = new Map();
    offsets.set(timeZone, zone);
  }
  const known = zone.get(slot);
  if (known !== undefined) return known;
  const at = slot * SLOT;
  const p = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(new Date(at))
      .map((x) => [x.type, Number(x.value)]),
  );
  const offset = Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day ?? 0, p.hour ?? 0, p.minute ?? 0) - at;
  if (zone.size > 200_000) zone.clear();
  zone.set(slot, offset);
  return offset;
}

/** Local wall-clock fields of an instant (minutes; seconds dropped). */
function parts(epochMs: number, timeZone: string): { y: number; m: number; d: number; h: number; mi: number } {
  const local = new Date(Math.floor(epochMs / MIN) * MIN + offsetAt(epochMs, timeZone));
  return { y: local.getUTCFullYear(), m: local.getUTCMonth() + 1, d: local.getUTCDate(), h: local.getUTCHours(), mi: local.getUTCMinutes() };
}

/** The instant of a local wall-clock time. A time skipped by a DST change maps to the instant after the gap. */
export function localToInstant(y: number, m: number, d: number, h: number, mi: number, timeZone: string): number {
  const wall = Date.UTC(y, m - 1, d, h, mi);
  let t = wall - offsetAt(wall, timeZone);
  const corrected = offsetAt(t, timeZone);
  if (wall - t !== corrected) t = wall - corrected; // the offset changed between the guess and the answer
  return t;
}

const hm = (s: string) => [Number(s.slice(0, 2)), Number(s.slice(3, 5))] as const;

export interface ShiftInstance extends Interval {
  /** The shift's name and the local date (YYYY-MM-DD) it starts on. */
  name: string;
  localDate: string;
  breaks: Interval[];
}

const pad = (n: number) => String(n).padStart(2, "0");

/** Every shift instance of the calendar that overlaps the window (unclipped), in start order. */
export function shiftInstances(window: Interval, timeZone: string, shifts: readonly ShiftDef[]): ShiftInstance[] {
  const out: ShiftInstance[] = [];
  const first = parts(window.start - DAY, timeZone);
  // walk local calendar dates from the day before the window to its end
  for (let date = Date.UTC(first.y, first.m - 1, first.d); ; date += DAY) {
    const day = new Date(date);
    const y = day.getUTCFullYear();
    const m = day.getUTCMonth() + 1;
    const d = day.getUTCDate();
    const weekday = ((day.getUTCDay() + 6) % 7) + 1;
    if (localToInstant(y, m, d, 0, 0, timeZone) >= window.end) break;
    for (const s of shifts) {
      if (!s.weekdays.includes(weekday)) continue;
      const [sh, sm] = hm(s.start);
      const [eh, em] = hm(s.end);
      const start = localToInstant(y, m, d, sh, sm, timeZone);
      const next = new Date(date + DAY);
      const overnight = eh * 60 + em <= sh * 60 + sm;
      const end = overnight
        ? localToInstant(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), eh, em, timeZone)
        : localToInstant(y, m, d, eh, em, timeZone);
      if (end <= window.start || start >= window.end) continue;
      const breaks = s.breaks
        .map((b) => ({ start: start + b.startOffsetMin * MIN, end: start + (b.startOffsetMin + b.durationMin) * MIN }))
        .sort((a, b) => a.start - b.start);
      out.push({ name: s.name, localDate: `${y}-${pad(m)}-${pad(d)}`, start, end, breaks });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Planned (shift minus breaks) intervals that overlap the window, clipped to it, sorted and merged. */
export function plannedIntervals(window: Interval, timeZone: string, shifts: readonly ShiftDef[]): Interval[] {
  const out: Interval[] = [];
  for (const s of shiftInstances(window, timeZone, shifts)) {
    let cursor = s.start;
    for (const b of s.breaks) {
      if (b.start > cursor) out.push({ start: cursor, end: Math.min(b.start, s.end) });
      cursor = Math.max(cursor, b.end);
    }
    if (cursor < s.end) out.push({ start: cursor, end: s.end });
  }
  return mergeIntervals(out.map((i) => clip(i, window)).filter((i): i is Interval => i !== undefined));
}

/** Local calendar days of the zone that overlap the window: [local midnight, next local midnight), 23 to 25 h long. */
export function localDays(window: Interval, timeZone: string): { localDate: string; start: number; end: number }[] {
  const out: { localDate: string; start: number; end: number }[] = [];
  const first = parts(window.start, timeZone);
  for (let date = Date.UTC(first.y, first.m - 1, first.d); ; date += DAY) {
    const a = new Date(date);
    const b = new Date(date + DAY);
    const start = localToInstant(a.getUTCFullYear(), a.getUTCMonth() + 1, a.getUTCDate(), 0, 0, timeZone);
    if (start >= window.end) break;
    const end = localToInstant(b.getUTCFullYear(), b.getUTCMonth() + 1, b.getUTCDate(), 0, 0, timeZone);
    if (end > window.start) out.push({ localDate: `${a.getUTCFullYear()}-${pad(a.getUTCMonth() + 1)}-${pad(a.getUTCDate())}`, start, end });
  }
  return out;
}

export function clip(i: Interval, w: Interval): Interval | undefined {
  const start = Math.max(i.start, w.start);
  const end = Math.min(i.end, w.end);
  return end > start ? { start, end } : undefined;
}

/** A plan's planned intervals in a window: its calendar's, or the whole window (no calendar, or planned time given as a number). */
export function planIntervals(plan: Plan, w: Interval): Interval[] {
  return plan.kind === "calendar" ? plannedIntervals(w, plan.timeZone, plan.shifts) : mergeIntervals([{ start: w.start, end: w.end }]);
}

export function mergeIntervals(list: Interval[]): Interval[] {
  const sorted = [...list].sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out.at(-1);
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else out.push({ ...i });
  }
  return out;
}

/** Milliseconds of [start, end) inside the (sorted, merged) intervals. */
export function overlapMs(start: number, end: number, intervals: readonly Interval[]): number {
  let ms = 0;
  for (const i of intervals) {
    if (i.end <= start) continue;
    if (i.start >= end) break;
    ms += Math.min(end, i.end) - Math.max(start, i.start);
  }
  return ms;
}

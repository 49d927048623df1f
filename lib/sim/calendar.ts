// Where an instant falls in a line's shift calendar, read in the site's IANA time zone.
// Good enough for a simulator (wall-clock minutes); the OEE engine has its own exact time model.
import type { PlantShift } from "../db/plant.ts";

export type PlanStatus = { kind: "no_shift" } | { kind: "break"; shift: string } | { kind: "production"; shift: string };

const formatters = new Map<string, Intl.DateTimeFormat>();
function localParts(epochMs: number, timeZone: string): { weekday: number; minute: number } {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(epochMs)).map((p) => [p.type, p.value]));
  const weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(parts.weekday ?? "") + 1;
  return { weekday, minute: Number(parts.hour) * 60 + Number(parts.minute) };
}

const toMin = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export function planStatus(epochMs: number, timeZone: string, shifts: readonly PlantShift[]): PlanStatus {
  if (shifts.length === 0) return { kind: "production", shift: "24/7" };
  const { weekday, minute } = localParts(epochMs, timeZone);
  const yesterday = weekday === 1 ? 7 : weekday - 1;
  for (const s of shifts) {
    const start = toMin(s.start);
    const end = toMin(s.end);
    let offset: number | undefined;
    if (start < end) {
      if (s.weekdays.includes(weekday) && minute >= start && minute < end) offset = minute - start;
    } else if (s.weekdays.includes(weekday) && minute >= start) {
      offset = minute - start;
    } else if (s.weekdays.includes(yesterday) && minute < end) {
      offset = minute + 1440 - start;
    }
    if (offset === undefined) continue;
    const inBreak = s.breaks.some((b) => offset >= b.startOffsetMin && offset < b.startOffsetMin + b.durationMin);
    return inBreak ? { kind: "break", shift: s.name } : { kind: "production", shift: s.name };
  }
  return { kind: "no_shift" };
}

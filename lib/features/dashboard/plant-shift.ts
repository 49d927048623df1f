// The plant board's window: the shift running now (or the last one) of a site's lines.
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { bucketsEndingIn, bucketsOverlapping } from "#lib/domain/oee/buckets.ts";

export type ShiftWindow = { label: string; start: number; end: number; current: boolean };

const H = 3_600_000;

function shiftOf(m: MachineInfo, now: number): ShiftWindow {
  const place = { timeZone: m.timeZone, shifts: m.shifts };
  if (m.shifts.length === 0) return { label: "last 8 hours (no shift calendar)", start: Math.floor((now - 8 * H) / 60_000) * 60_000, end: now, current: true };
  const current = bucketsOverlapping("shift", place, now, now + 1).find((b) => b.start <= now && now < b.end);
  if (current) return { label: current.label, start: current.start, end: current.end, current: true };
  const last = bucketsEndingIn("shift", place, now - 7 * 24 * H, now).at(-1);
  if (last) return { label: last.label, start: last.start, end: last.end, current: false };
  return { label: "last 8 hours (no shift in the last week)", start: now - 8 * H, end: now, current: true };
}

/**
 * The board's window for a site whose lines may keep different calendars (Pune: two shifts Monday to
 * Saturday on one line, three shifts every day on the other): a shift running now on any of them, else
 * the window of a line without a calendar, else the shift that ended last. The first machine's calendar
 * alone showed "none running now" on a Sunday while a line worked. `machines`: at least one.
 */
export function siteShift(machines: readonly MachineInfo[], now: number): ShiftWindow {
  const seen = new Set<string>();
  const windows: { w: ShiftWindow; calendar: boolean }[] = [];
  for (const m of machines) {
    const key = `${m.timeZone} ${JSON.stringify(m.shifts)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    windows.push({ w: shiftOf(m, now), calendar: m.shifts.length > 0 });
  }
  const running = windows.find((x) => x.calendar && x.w.current) ?? windows.find((x) => x.w.current);
  // (`machines` is not empty: at least one window)
  return (running ?? windows.reduce((a, b) => (b.w.end > a.w.end ? b : a))).w;
}

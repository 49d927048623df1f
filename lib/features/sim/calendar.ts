// Where an instant falls in a line's shift calendar, read in the site's IANA time zone. Uses the OEE
// core's calendar, so the simulator's breaks and shifts are exactly the ones OEE is computed against.
import { plannedIntervals } from "#lib/domain/oee/calendar.ts";
import type { ShiftDef } from "#lib/domain/oee/types.ts";

export type PlanStatus = { kind: "no_shift" } | { kind: "break"; shift: string } | { kind: "production"; shift: string };

export function planStatus(epochMs: number, timeZone: string, shifts: readonly ShiftDef[]): PlanStatus {
  if (shifts.length === 0) return { kind: "production", shift: "24/7" };
  const instant = { start: epochMs, end: epochMs + 1 };
  for (const s of shifts) {
    if (plannedIntervals(instant, timeZone, [{ ...s, breaks: [] }]).length === 0) continue;
    return plannedIntervals(instant, timeZone, [s]).length > 0 ? { kind: "production", shift: s.name } : { kind: "break", shift: s.name };
  }
  return { kind: "no_shift" };
}

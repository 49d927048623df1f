// The rules of the asset model that one field's schema cannot express: a machine's bearing geometry
// and a shift calendar's shifts. Pure: the admin services ask, and refuse with the message returned.

/** The bearing settings checked together (any may be unknown: null or absent). */
export interface BearingGeometry {
  bearingRollingElements?: number | null | undefined;
  bearingBallDiameterMm?: number | null | undefined;
  bearingPitchDiameterMm?: number | null | undefined;
}

/** What is wrong with a machine's bearing geometry ("field: message"), or undefined. */
export function bearingProblem(s: BearingGeometry): string | undefined {
  const pitch = s.bearingPitchDiameterMm;
  const ball = s.bearingBallDiameterMm;
  if (pitch != null && ball != null && ball >= pitch) {
    return "body.bearingBallDiameterMm: the ball diameter must be smaller than the pitch diameter";
  }
  const geometry = [s.bearingRollingElements, ball, pitch];
  if (geometry.some((v) => v != null) && geometry.some((v) => v == null)) {
    return "body.bearingRollingElements: give the bearing's rolling elements, ball and pitch diameters together (or none)";
  }
  return undefined;
}

export interface ShiftDraft {
  name: string;
  /** local "HH:MM" */
  start: string;
  end: string;
  breaks: readonly { startOffsetMin: number; durationMin: number }[];
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** A shift's length in minutes; a shift ending at or before its start runs past midnight (equal: 24 h). */
export const shiftLengthMin = (start: string, end: string) => (minutes(end) - minutes(start) + 1440) % 1440 || 1440;

/** What is wrong with a calendar's shifts ("field: message"): names repeat, or a break ends after its shift. */
export function shiftsProblem(shifts: readonly ShiftDraft[]): string | undefined {
  const names = new Set<string>();
  for (const [i, sh] of shifts.entries()) {
    if (names.has(sh.name)) return `body.shifts.${i}.name: "${sh.name}" twice; shift names must be unique`;
    names.add(sh.name);
    const length = shiftLengthMin(sh.start, sh.end);
    for (const [j, b] of sh.breaks.entries()) {
      if (b.startOffsetMin + b.durationMin > length) {
        return `body.shifts.${i}.breaks.${j}: the break ends after the shift (${sh.start}-${sh.end} is ${length} min)`;
      }
    }
  }
  return undefined;
}

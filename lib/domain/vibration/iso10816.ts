// ISO 10816-3 evaluation zones: broadband velocity RMS (10–1000 Hz, mm/s) on the bearing housings
// of machines above 15 kW, by machine group and foundation. Pure. (ISO 20816-3:2022 supersedes the
// standard with the same boundaries for these groups.)

export type VibrationGroup = "GROUP_1" | "GROUP_2";
export type Foundation = "RIGID" | "FLEXIBLE";
export type Zone = "A" | "B" | "C" | "D";

/** Upper limits of zones A, B and C (the A/B, B/C and C/D boundaries), mm/s RMS. */
export const ZONE_LIMITS: Record<VibrationGroup, Record<Foundation, readonly [number, number, number]>> = {
  GROUP_1: { RIGID: [2.3, 4.5, 7.1], FLEXIBLE: [3.5, 7.1, 11.0] },
  GROUP_2: { RIGID: [1.4, 2.8, 4.5], FLEXIBLE: [2.3, 4.5, 7.1] },
};

export const ZONE_MEANING: Record<Zone, string> = {
  A: "newly commissioned",
  B: "unrestricted long-term operation",
  C: "restricted operation: plan the repair",
  D: "severe enough to cause damage",
};

/** The zone of a velocity RMS value; a value on a boundary belongs to the higher zone. */
export function zoneOf(velocityRmsMmS: number, group: VibrationGroup, foundation: Foundation): Zone {
  const [ab, bc, cd] = ZONE_LIMITS[group][foundation];
  if (velocityRmsMmS >= cd) return "D";
  if (velocityRmsMmS >= bc) return "C";
  if (velocityRmsMmS >= ab) return "B";
  return "A";
}

/**
 * A machine whose vibration sensor is all it has (no PLC state messages, e.g. a retrofitted wireless
 * sensor) counts as turning when its velocity RMS reaches this fraction of its class's zone A/B
 * boundary: 0.14-0.35 mm/s, above a stopped machine's floor noise (about 0.05) and below a healthy
 * running one (about half the boundary, a third at low speed).
 */
export const TURNING_FRACTION_OF_AB = 0.1;

/** Whether a vibration reading shows the shaft turning: its speed when the sensor reports one, else its velocity against TURNING_FRACTION_OF_AB. */
export function turningByVibration(
  reading: { velocityRmsMmS?: number; speedRpm?: number },
  group: VibrationGroup,
  foundation: Foundation,
): boolean | undefined {
  if (reading.speedRpm !== undefined) return reading.speedRpm > 0;
  if (reading.velocityRmsMmS === undefined) return undefined;
  return reading.velocityRmsMmS >= TURNING_FRACTION_OF_AB * ZONE_LIMITS[group][foundation][0];
}

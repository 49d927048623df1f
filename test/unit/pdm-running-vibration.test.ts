// A machine without state messages is judged running by its own vibration (lib/features/pdm/running.ts,
// turningByVibration in lib/domain/vibration/iso10816.ts): what the scans learn on and the alerts' quiet time counts.
import { describe, expect, it } from "vitest";
import { TURNING_FRACTION_OF_AB, turningByVibration } from "#lib/domain/vibration/iso10816.ts";
import { READING_HOLDS_MS, type TurningRow, turningCursorOver, turningMsOver } from "#lib/features/pdm/running.ts";

const pump = { vibrationGroup: "GROUP_2", foundation: "FLEXIBLE" } as const; // zone A/B at 2.3 mm/s: turning from 0.23
const v = (ts: number, velocity: number, speedRpm?: number): TurningRow => ({
  ts,
  values: { velocity_rms_mm_s: velocity },
  ...(speedRpm !== undefined ? { speedRpm } : {}),
});

describe("running by vibration, for a machine that sends no state", () => {
  it("turns at a tenth of the class's zone A/B boundary; a reported speed decides when there is one", () => {
    expect(TURNING_FRACTION_OF_AB * 2.3).toBeCloseTo(0.23);
    expect(turningByVibration({ velocityRmsMmS: 0.05 }, "GROUP_2", "FLEXIBLE")).toBe(false); // a stopped pump's floor noise
    expect(turningByVibration({ velocityRmsMmS: 0.6 }, "GROUP_2", "FLEXIBLE")).toBe(true); // a healthy pump at low speed
    expect(turningByVibration({ velocityRmsMmS: 0.6 }, "GROUP_1", "FLEXIBLE")).toBe(true);
    expect(turningByVibration({ velocityRmsMmS: 0.3 }, "GROUP_1", "FLEXIBLE")).toBe(false); // a large machine's floor is 0.35
    expect(turningByVibration({ velocityRmsMmS: 0.6, speedRpm: 0 }, "GROUP_2", "FLEXIBLE")).toBe(false); // the neighbours shake it
    expect(turningByVibration({ velocityRmsMmS: 0.05, speedRpm: 1450 }, "GROUP_2", "FLEXIBLE")).toBe(true);
    expect(turningByVibration({}, "GROUP_2", "FLEXIBLE")).toBeUndefined();
  });

  it("the cursor follows the latest reading, and a silent sensor is not running", () => {
    const at = turningCursorOver([v(1000, 1.1), v(2000, 0.04), v(3000, 1.2)], pump);
    expect([0, 1000, 1500, 2000, 2999, 3000, 3000 + READING_HOLDS_MS, 3001 + READING_HOLDS_MS].map(at)).toEqual([
      false,
      true,
      true,
      false,
      false,
      true,
      true,
      false,
    ]);
  });

  it("running time: each turning reading until the next, at most READING_HOLDS_MS, inside [from, to)", () => {
    const min = 60_000;
    const rows = [v(0, 1.0), v(min, 1.0), v(2 * min, 0.05), v(3 * min, 1.0), v(30 * min, 1.0)];
    // 0-2 min turning, 2-3 stopped, 3-8 (the reading holds 5 min, then 22 min of silence), 30-31 (to)
    expect(turningMsOver(rows, pump, 0, 31 * min)).toBe(2 * min + 5 * min + 1 * min);
    expect(turningMsOver(rows, pump, 30 * 1000, 4 * min)).toBe(1.5 * min + 1 * min);
    expect(turningMsOver([], pump, 0, 31 * min)).toBe(0);
  });
});

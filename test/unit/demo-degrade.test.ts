// The live demo's degrading machine (lib/features/sim/demo-degrade.ts): Dresden's pump when its line
// has a shift for the whole degradation, else the pump of a line that has one, else none.
import { describe, expect, it } from "vitest";
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { machineKey } from "#lib/contract/identity.ts";
import { demoMachine } from "#lib/features/sim/demo-degrade.ts";
import { testMachine } from "../support/machine.ts";

const base = { name: "Pump", idealCycleTimeS: 2, vibrationGroup: "GROUP_2", foundation: "FLEXIBLE", nominalSpeedRpm: 2950, hasWaveformSensor: true } as const;
const weekdays = (days: number[], start: string, end: string) => [{ name: "s", weekdays: days, start, end, breaks: [] }];
const dresden = testMachine({ ...base, slug: "pump-01", shifts: weekdays([1, 2, 3, 4, 5], "06:00", "22:00") });
const punePath = { enterprise: "acme", site: "pune", area: "packaging", line: "fill-1", machine: "pump-01" };
const pune: MachineInfo = {
  ...dresden,
  site: "pune",
  area: "packaging",
  line: "fill-1",
  path: punePath,
  key: machineKey(punePath),
  timeZone: "Asia/Kolkata",
  shifts: weekdays([1, 2, 3, 4, 5, 6], "06:00", "23:00"),
};
const cnc = testMachine({ ...base, slug: "cnc-01", shifts: weekdays([6], "00:00", "23:59") });
const fleet = [dresden, cnc, pune];
const NINE_MIN = 12 * 60_000;

describe("the live demo's degrading machine", () => {
  it("is Dresden's pump on a weekday morning", () => {
    expect(demoMachine(dresden, fleet, Date.parse("2026-12-02T08:00:00Z"), NINE_MIN)).toEqual({ machine: dresden });
  });
  it("is Pune's pump (same name, a line with a shift) on a Saturday morning; never another kind of machine", () => {
    expect(demoMachine(dresden, fleet, Date.parse("2026-12-05T06:00:00Z"), NINE_MIN)).toEqual({ machine: pune, instead: dresden });
  });
  it("is Pune's when Dresden's shift has not begun (a weekday before 06:00 in Berlin)", () => {
    expect(demoMachine(dresden, fleet, Date.parse("2026-12-02T04:55:00Z"), NINE_MIN)).toEqual({ machine: pune, instead: dresden });
  });
  it("is never the history's degrading pump: the next pump of a line with a shift, or none", () => {
    const saturday = Date.parse("2026-12-05T06:00:00Z");
    const pune2Path = { ...punePath, line: "fill-2" };
    const pune2: MachineInfo = { ...pune, line: "fill-2", path: pune2Path, key: machineKey(pune2Path) };
    expect(demoMachine(dresden, [dresden, pune, pune2], saturday, NINE_MIN, new Set([pune.key]))).toEqual({ machine: pune2, instead: dresden });
    expect(demoMachine(dresden, fleet, saturday, NINE_MIN, new Set([pune.key]))).toEqual({ idle: dresden });
  });
  it("is none on a Sunday, when no line with a pump works", () => {
    expect(demoMachine(dresden, fleet, Date.parse("2026-12-06T12:00:00Z"), NINE_MIN)).toEqual({ idle: dresden });
  });
});

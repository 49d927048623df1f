// The live demo's degrading machine (lib/features/sim/demo-degrade.ts): Dresden's pump when its line
// has a shift for the whole degradation, else the pump of a line that has one, else none.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type MachineInfo, machinesOfPlant, readPlantFile } from "#lib/adapters/db/plant.ts";
import { machineKey } from "#lib/contract/identity.ts";
import { demoMachine } from "#lib/features/sim/demo-degrade.ts";
import { parseDegrade } from "#lib/features/sim/run.ts";
import { parseConfig, repoRoot } from "#lib/platform/config.ts";
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

describe("the demo plant as seeded (prisma/seed/demo-plant.json): a live degradation whenever the first start comes", () => {
  const plant = machinesOfPlant(readPlantFile(join(repoRoot, "prisma", "seed", "demo-plant.json")));
  const cfg = parseConfig({});
  const [[key, hours]] = [...parseDegrade(cfg.SIM_DEMO_DEGRADE, plant)] as [[string, number]];
  const configured = plant.find((m) => m.key === key) as MachineInfo;
  const avoid = new Set(parseDegrade(cfg.SIM_HISTORY_DEGRADE, plant).keys());
  const forMs = hours * 3_600_000 + 3 * 60_000; // as `andon up` asks

  it("every 5 minutes of a week, winter and summer time, some pump's line works for the whole degradation", () => {
    const idle: string[] = [];
    const used = new Map<string, number>();
    for (const monday of ["2026-12-07T00:00:00Z", "2026-06-01T00:00:00Z"]) {
      for (let t = Date.parse(monday); t < Date.parse(monday) + 7 * 86_400_000; t += 5 * 60_000) {
        const choice = demoMachine(configured, plant, t, forMs, avoid);
        if (!choice.machine) idle.push(new Date(t).toISOString());
        else used.set(choice.machine.key, (used.get(choice.machine.key) ?? 0) + 1);
      }
    }
    expect(idle).toEqual([]);
    for (const k of avoid) expect(used.has(k)).toBe(false);
    // Dresden's pump (the configured one) on its weekday shifts; Pune's continuous filling line on Sundays
    expect(used.get(configured.key)).toBeGreaterThan(0);
    expect(used.get("acme/pune/packaging/fill-2/pump-01")).toBeGreaterThan(0);
  });
});

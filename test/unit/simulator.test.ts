import { describe, expect, it } from "vitest";
import { parsePayload } from "#lib/contract/payloads.ts";
import { planStatus } from "#lib/features/sim/calendar.ts";
import { MachineSim } from "#lib/features/sim/machine.ts";
import { testMachine } from "../support/machine.ts";

const shifts = [
  { name: "early", weekdays: [1, 2, 3, 4, 5], start: "06:00", end: "14:00", breaks: [{ name: "b", startOffsetMin: 120, durationMin: 15 }] },
  { name: "night", weekdays: [1, 2, 3, 4, 5], start: "22:00", end: "06:00", breaks: [] },
];
const machine = testMachine({
  slug: "pump-01",
  name: "Pump",
  idealCycleTimeS: 1,
  vibrationGroup: "GROUP_2",
  foundation: "RIGID",
  nominalSpeedRpm: 2950,
  bearingRollingElements: 9,
  bearingBallDiameterMm: 7.94,
  bearingPitchDiameterMm: 39.04,
  bearingContactAngleDeg: 0,
  hasWaveformSensor: true,
});

describe("shift calendar", () => {
  // 2026-11-25 is a Wednesday; Berlin is UTC+1 in November.
  it.each([
    ["2026-11-25T06:30:00Z", "production"], // 07:30 local, early shift
    ["2026-11-25T07:05:00Z", "break"], // 08:05 local: 125 min into the early shift
    ["2026-11-25T13:30:00Z", "no_shift"], // 14:30 local
    ["2026-11-25T23:30:00Z", "production"], // 00:30 Thursday, night shift started Wednesday
    ["2026-11-28T10:00:00Z", "no_shift"], // Saturday
    ["2026-11-28T03:00:00Z", "production"], // 04:00 Saturday: Friday's night shift
  ])("%s is %s", (iso, kind) => {
    expect(planStatus(Date.parse(iso), "Europe/Berlin", shifts).kind).toBe(kind);
  });
});

describe("MachineSim", () => {
  const run = (seed: number) => {
    const sim = new MachineSim(machine, { seed, waveformEvery: 10 });
    const out: string[] = [];
    for (let t = 0; t < 600; t++)
      for (const m of sim.tick(Date.parse("2026-11-25T08:00:00Z") + t * 1000)) out.push(`${m.channel}:${JSON.stringify(m.payload)}`);
    return out;
  };

  it("is deterministic for a seed and differs between seeds", () => {
    expect(run(1)).toEqual(run(1));
    expect(run(1)).not.toEqual(run(2));
  });

  it("speaks the contract: every message it publishes parses", () => {
    const sim = new MachineSim(machine, { seed: 3, waveformEvery: 5 });
    const channels = new Set<string>();
    for (let t = 0; t < 3600; t += 5) {
      for (const m of sim.tick(Date.parse("2026-11-25T08:00:00Z") + t * 1000)) {
        const r = parsePayload(m.channel, Buffer.from(JSON.stringify(m.payload)));
        expect(r.ok, JSON.stringify(r)).toBe(true);
        channels.add(m.channel);
      }
    }
    expect([...channels].sort()).toEqual(["counts", "state", "vibration", "waveform"]);
  });

  it("a degrading bearing raises vibration and ends in a bearing failure", () => {
    const sim = new MachineSim(machine, { seed: 4, waveformEvery: 0, degradeToFailureMs: 3_600_000 });
    const start = Date.parse("2026-11-25T08:00:00Z");
    let early = 0;
    let late = 0;
    let failed = false;
    for (let t = 0; t <= 3600; t += 10) {
      for (const m of sim.tick(start + t * 1000)) {
        if (m.channel === "vibration" && (m.payload.speed_rpm as number) > 0) {
          if (t < 600) early = Math.max(early, m.payload.velocity_rms_mm_s as number);
          if (t > 3300) late = Math.max(late, m.payload.velocity_rms_mm_s as number);
        }
        if (m.channel === "state" && m.payload.reason === "bearing failure") failed = true;
      }
    }
    expect(late).toBeGreaterThan(early * 2);
    expect(failed).toBe(true);
    // repaired (45-120 min): the new bearing stays healthy, no second failure in the next 10 hours
    let failures = 0;
    let worst = 0;
    for (let t = 3610; t <= 3600 + 11 * 3600; t += 10) {
      for (const m of sim.tick(start + t * 1000)) {
        if (m.channel === "state" && m.payload.reason === "bearing failure") failures++;
        if (t > 3 * 3600 && m.channel === "vibration" && (m.payload.speed_rpm as number) > 0) worst = Math.max(worst, m.payload.velocity_rms_mm_s as number);
      }
    }
    expect(failures).toBe(0);
    expect(worst).toBeLessThan(early * 1.5);
  });
});

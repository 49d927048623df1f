// The demo's history (lib/features/sim/history.ts): deterministic for a seed, in device-time order,
// the same machines as the live simulator, and one bearing that fails and is replaced in it.
import { describe, expect, it } from "vitest";
import { historyMessages } from "#lib/features/sim/history.ts";
import { MachineSim } from "#lib/features/sim/machine.ts";
import { testMachine } from "../support/machine.ts";

const base = { name: "m", idealCycleTimeS: 2, vibrationGroup: "GROUP_2", foundation: "RIGID", nominalSpeedRpm: 1500, hasWaveformSensor: false } as const;
const machines = [testMachine({ ...base, slug: "cnc-01" }), testMachine({ ...base, slug: "pump-01", hasWaveformSensor: true })];
const HOUR = 3_600_000;
const span = { from: Date.parse("2026-11-23T00:00:00Z"), to: Date.parse("2026-11-25T00:00:00Z"), stepMs: 60_000, vibrationEvery: 2 };
const degrade = new Map([[machines[1]!.key, 20]]);
const all = (seed: number) => [...historyMessages(machines, span, { seed, degrade })];

describe("simulated history", () => {
  it("is the same for the same seed, and another for another seed", () => {
    const a = all(42);
    expect(all(42)).toEqual(a);
    expect(all(43)).not.toEqual(a);
  });

  it("goes forward in device time over the span: counts every tick, vibration every second, no waveforms", () => {
    const msgs = all(42).map((m) => ({ channel: m.topic.split("/").at(-1), ts: Date.parse(JSON.parse(m.payload).ts as string) }));
    const ticks = (span.to - span.from) / span.stepMs;
    for (let i = 1; i < msgs.length; i++) expect(msgs[i]!.ts).toBeGreaterThanOrEqual(msgs[i - 1]!.ts);
    expect(msgs[0]!.ts).toBe(span.from);
    expect(msgs.at(-1)!.ts).toBe(span.to - span.stepMs);
    expect(msgs.filter((m) => m.channel === "counts")).toHaveLength(2 * ticks);
    expect(msgs.filter((m) => m.channel === "vibration")).toHaveLength(2 * (ticks / 2));
    expect(msgs.some((m) => m.channel === "waveform")).toBe(false);
  });

  it("has the live simulator's machines: the first vibration of each equals a live MachineSim's with the same seed", () => {
    const first = (key: string) => all(42).find((m) => m.topic === `${key}/vibration`)!;
    for (const m of machines) {
      const live = new MachineSim(m, { seed: 42, waveformEvery: 0 }).tick(span.from).find((x) => x.channel === "vibration")!;
      expect(JSON.parse(first(m.key).payload)).toEqual(live.payload);
    }
  });

  it("fails the degrading bearing in the span and replaces it: velocity back near its start afterwards", () => {
    const pump = all(42).filter((m) => m.topic.startsWith(machines[1]!.key));
    const failure = pump.find((m) => m.topic.endsWith("/state") && JSON.parse(m.payload).reason === "bearing failure");
    expect(failure).toBeDefined();
    const failedAt = Date.parse(JSON.parse(failure!.payload).ts);
    expect(failedAt - span.from).toBeGreaterThan(15 * HOUR);
    expect(failedAt - span.from).toBeLessThan(21 * HOUR);
    const velocity = (from: number, to: number) =>
      pump
        .filter((m) => m.topic.endsWith("/vibration"))
        .map((m) => JSON.parse(m.payload))
        .filter((p) => Date.parse(p.ts) >= from && Date.parse(p.ts) < to && p.velocity_rms_mm_s > 0.3)
        .map((p) => p.velocity_rms_mm_s as number);
    const max = (xs: number[]) => Math.max(...xs);
    const before = max(velocity(failedAt - HOUR, failedAt));
    const start = max(velocity(span.from, span.from + 2 * HOUR));
    const after = max(velocity(failedAt + 4 * HOUR, span.to));
    expect(before).toBeGreaterThan(2 * start);
    expect(after).toBeLessThan(1.5 * start);
  });
});

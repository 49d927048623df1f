// The live simulator's catch-up after a fresh history (lib/features/sim/run.ts catchUpMessages): the
// machines' ticks from the history's end to the clock, as they would have been sent live, so no
// minutes are left in which the history's last states hold with nothing made.
import { describe, expect, it } from "vitest";
import { MachineSim } from "#lib/features/sim/machine.ts";
import { catchUpMessages } from "#lib/features/sim/run.ts";
import { testMachine } from "../support/machine.ts";

const base = { name: "m", idealCycleTimeS: 2, vibrationGroup: "GROUP_2", foundation: "RIGID", nominalSpeedRpm: 1500, hasWaveformSensor: false } as const;
const machines = [testMachine({ ...base, slug: "cnc-01" }), testMachine({ ...base, slug: "press-01" })];
const from = Date.parse("2026-12-06T23:44:00Z");
const channelTs = (m: { topic: string; payload: string }) => ({
  key: m.topic.split("/").slice(0, -1).join("/"),
  channel: m.topic.split("/").at(-1),
  ts: Date.parse(JSON.parse(m.payload).ts),
});

describe("catching up from the history's end", () => {
  it("ticks every interval from the history's end until the clock, which moves on meanwhile", () => {
    const sims = machines.map((m) => new MachineSim(m, { seed: 42, waveformEvery: 0 }));
    // the clock starts 2 min after the history's end and runs on 1 s for every 200 messages read
    let read = 0;
    const clock = () => from + 120_000 + Math.floor(read / 200) * 1000;
    const msgs = [];
    for (const m of catchUpMessages(sims, from, 1000, clock)) {
      read++;
      msgs.push(channelTs(m));
    }
    const counts = msgs.filter((m) => m.channel === "counts");
    const ticks = counts.length / machines.length;
    // every machine counts at every instant, from the history's end on, time-major
    expect(counts[0]!.ts).toBe(from);
    for (const key of machines.map((m) => m.key))
      expect(counts.filter((c) => c.key === key).map((c) => c.ts)).toEqual(Array.from({ length: ticks }, (_, i) => from + i * 1000));
    for (let i = 1; i < msgs.length; i++) expect(msgs[i]!.ts).toBeGreaterThanOrEqual(msgs[i - 1]!.ts);
    // it ends within one interval of the clock as it was at the end (later than where it started)
    const last = counts.at(-1)!.ts;
    expect(clock()).toBeGreaterThan(from + 120_000);
    expect(last).toBeLessThanOrEqual(clock());
    expect(clock() - last).toBeLessThan(1000);
    // each machine says its state once at the start
    expect(msgs.filter((m) => m.channel === "state" && m.ts === from)).toHaveLength(machines.length);
  });

  it("leaves the machines where live ticks go on: the next tick is one interval later, not a fresh start", () => {
    const caughtUp = machines.map((m) => new MachineSim(m, { seed: 42, waveformEvery: 0 }));
    const end = from + 30_000;
    const msgs = [...catchUpMessages(caughtUp, from, 1000, () => end)];
    const fresh = machines.map((m) => new MachineSim(m, { seed: 42, waveformEvery: 0 }));
    for (let t = from; t <= end; t += 1000) for (const sim of fresh) sim.tick(t);
    expect(msgs.length).toBeGreaterThan(0);
    // the same machines, advanced the same way: their next live tick is the same
    expect(caughtUp.map((s) => s.tick(end + 1000))).toEqual(fresh.map((s) => s.tick(end + 1000)));
    // and not what a machine starting at that tick would publish
    const restarted = machines.map((m) => new MachineSim(m, { seed: 42, waveformEvery: 0 }).tick(end + 1000));
    expect(caughtUp.flatMap((s) => s.tick(end + 2000)).some((m) => m.channel === "state")).toBe(false);
    expect(restarted.flat().filter((m) => m.channel === "state")).toHaveLength(machines.length);
  });
});

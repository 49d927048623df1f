// What the demo's people did in the history (lib/features/sim/history-actions.ts): reasons given
// after the fact to waits the PLC left unexplained, and commands the simulated PLCs carried out or
// refused, decided along the simulation so they fit what the machines did. Deterministic for a seed.
import { describe, expect, it } from "vitest";
import { historyMessages } from "#lib/features/sim/history.ts";
import { HistoryActions } from "#lib/features/sim/history-actions.ts";
import { testMachine } from "../support/machine.ts";

const base = { name: "m", idealCycleTimeS: 2, vibrationGroup: "GROUP_2", foundation: "RIGID", nominalSpeedRpm: 1500, hasWaveformSensor: false } as const;
const machines = [
  testMachine({ ...base, slug: "cnc-01" }),
  testMachine({ ...base, slug: "cnc-02" }),
  testMachine({ ...base, slug: "pump-01", hasWaveformSensor: true }),
];
const MINUTE = 60_000;
const span = { from: Date.parse("2026-11-23T00:00:00Z"), to: Date.parse("2026-11-25T00:00:00Z"), stepMs: 60_000, vibrationEvery: 2 };
const degrade = new Map([[machines[2]!.key, 20]]);

function run(seed: number) {
  const actions = new HistoryActions(machines, span, { seed, degrade });
  const states = [...historyMessages(machines, span, { seed, degrade, actions })]
    .filter((m) => m.topic.endsWith("/state"))
    .map((m) => ({ machine: m.topic.split("/").slice(0, 5).join("/"), ...(JSON.parse(m.payload) as { ts: string; state: string; reason?: string }) }));
  return { actions, states };
}
const { actions, states } = run(42);
const commands = actions.commands.map((c) => ({ machine: c.machine.key, type: c.type, by: c.requestedBy, outcome: c.outcome, at: c.at }));

describe("the history's people", () => {
  it("give reasons afterwards only to waits the PLC left unexplained, two minutes or longer, within the span", () => {
    expect(actions.edits.length).toBeGreaterThan(5);
    for (const e of actions.edits) {
      const own = states.filter((s) => s.machine === e.machine.key);
      const i = own.findIndex((s) => Date.parse(s.ts) === e.start);
      expect(own[i]).toMatchObject({ state: "idle" });
      expect(own[i]!.reason).toBeUndefined();
      expect(Date.parse(own[i + 1]!.ts)).toBe(e.end);
      expect(e.end - e.start).toBeGreaterThanOrEqual(2 * MINUTE);
      expect(e.at).toBeGreaterThan(e.end);
      expect(e.at).toBeLessThan(span.to);
      expect(e.by).toBe("demo.plant-manager");
    }
    // some unexplained waits stay unexplained (for the live user to give)
    const unexplained = states.filter((s) => s.state === "idle" && s.reason === undefined);
    expect(unexplained.length).toBeGreaterThan(actions.edits.length);
  });

  it("send a cleaning stop and a start: carried out, and the machine is stopped in between", () => {
    const [stop, start] = commands.filter((c) => c.machine === machines[0]!.key && (c.type === "stop" || c.type === "start"));
    expect(stop).toMatchObject({ type: "stop", outcome: { status: "completed" } });
    expect(start).toMatchObject({ type: "start", outcome: { status: "completed" } });
    expect(start!.at - stop!.at).toBe(35 * MINUTE);
    const during = states.filter((s) => s.machine === machines[0]!.key && Date.parse(s.ts) >= stop!.at && Date.parse(s.ts) < start!.at);
    expect(during).toEqual([expect.objectContaining({ state: "stopped", reason: "remote stop: CIP cleaning" })]);
  });

  it("ask for a speed the machine cannot run: refused with the PLC's reason", () => {
    expect(commands.find((c) => c.type === "set_speed")).toMatchObject({
      machine: machines[0]!.key,
      outcome: { status: "rejected", reason: "speed 125 % is outside this machine's range 50-110 %" },
    });
  });

  it("reset a breakdown remotely: the machine runs again at once", () => {
    const reset = commands.find((c) => c.machine === machines[1]!.key && c.type === "reset_fault");
    expect(reset).toMatchObject({ by: "demo.maintenance", outcome: { status: "completed" } });
    const after = states.find((s) => s.machine === machines[1]!.key && Date.parse(s.ts) === reset!.at);
    expect(after).toMatchObject({ state: "running" });
  });

  it("request an inspection of the degrading bearing, and find a reset refused once it has failed", () => {
    const pump = commands.filter((c) => c.machine === machines[2]!.key);
    expect(pump.map((c) => [c.type, c.outcome.status])).toEqual([
      ["request_inspection", "completed"],
      ["reset_fault", "rejected"],
    ]);
    expect(pump[1]!.outcome).toMatchObject({ reason: expect.stringMatching(/^bearing failure: the bearing must be replaced/) });
    const failed = states.find((s) => s.machine === machines[2]!.key && s.reason === "bearing failure");
    expect(pump[1]!.at - Date.parse(failed!.ts)).toBe(4 * MINUTE);
  });

  it("do the same for the same seed", () => {
    const again = run(42).actions;
    expect(again.edits).toEqual(actions.edits);
    expect(again.commands).toEqual(actions.commands);
    expect(run(7).actions.edits).not.toEqual(actions.edits);
  });

  it("replace a bearing whose repair ends after the shift: it fails once, and one reset is refused", () => {
    // one shift 06:00-14:00 (Berlin); the bearing fails at 13:30 and its repair (45-120 min) ends after the shift
    const shifts = [{ name: "early", weekdays: [1, 2, 3, 4, 5, 6, 7], start: "06:00", end: "14:00", breaks: [] }];
    const pump = testMachine({ ...base, slug: "pump-02", hasWaveformSensor: true, shifts });
    const failAt = new Map([[pump.key, 12.5]]); // span.from is 00:00 UTC = 01:00 Berlin; +12.5 h = 13:30 Berlin
    const people = new HistoryActions([pump], span, { seed: 42, degrade: failAt });
    const failures = [...historyMessages([pump], span, { seed: 42, degrade: failAt, actions: people })]
      .filter((m) => m.topic.endsWith("/state"))
      .map((m) => JSON.parse(m.payload) as { ts: string; reason?: string })
      .filter((p) => p.reason === "bearing failure");
    expect(failures.map((p) => p.ts)).toEqual(["2026-11-23T12:30:00.000Z"]);
    expect(people.commands.filter((c) => c.type === "reset_fault" && c.outcome.status === "rejected")).toHaveLength(1);
  });
});

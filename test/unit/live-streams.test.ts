// What the live streams send, without a server: a machine's MQTT state message as the board's
// `state` event (classified by the machine's loss mapping), and SSE framing that no payload can break.
import { describe, expect, it } from "vitest";
import { DEFAULT_MAPPING } from "#lib/domain/oee/mapping.ts";
import { sseFrame } from "#lib/features/dashboard/event-stream.ts";
import { stateEvent } from "#lib/features/dashboard/live-streams.ts";
import { testMachine } from "../support/machine.ts";

const machine = testMachine({
  slug: "cnc-01",
  name: "CNC",
  idealCycleTimeS: 2,
  vibrationGroup: "GROUP_2",
  foundation: "RIGID",
  nominalSpeedRpm: 1500,
  hasWaveformSensor: false,
});
const ts = Date.UTC(2026, 11, 4, 8, 0, 0);

describe("the board's state event", () => {
  it("names the state and its loss by the machine's mapping, at the machine's own time", () => {
    expect(stateEvent(machine, JSON.stringify({ v: 1, ts, state: "equipment_failure", reason: "motor trip" }))).toEqual({
      machine: machine.key,
      state: "equipment_failure",
      since: ts,
      loss: "BREAKDOWN",
      reason: "motor trip",
    });
    // an ISO timestamp and a bare code (the UMH table's name for it)
    expect(stateEvent(machine, JSON.stringify({ v: 1, ts: new Date(ts).toISOString(), code: 10000 }))).toMatchObject({
      state: "running",
      since: ts,
      loss: "PRODUCTIVE",
    });
  });

  it("follows a machine's own mapping: a reason rule wins over the state", () => {
    const own = {
      ...machine,
      lossMapping: { ...DEFAULT_MAPPING, rules: [...DEFAULT_MAPPING.rules, { reason: "planned-maintenance", loss: "PLANNED_STOP" as const }] },
    };
    expect(stateEvent(own, JSON.stringify({ v: 1, ts, state: "equipment_failure", reason: "planned-maintenance" }))?.loss).toBe("PLANNED_STOP");
  });

  it("sends nothing for a message the ingest would refuse", () => {
    for (const bad of [
      "not json",
      "{}",
      JSON.stringify({ v: 2, ts, state: "running" }),
      JSON.stringify({ v: 1, ts, state: "flying" }),
      JSON.stringify({ v: 1, state: "running" }),
    ]) {
      expect(stateEvent(machine, bad), bad).toBeUndefined();
    }
  });
});

describe("SSE framing", () => {
  it("puts every line of the data on its own data: line, so a payload cannot start an event of its own", () => {
    expect(sseFrame("alert", '{"a":1}')).toBe('event: alert\ndata: {"a":1}\n\n');
    expect(sseFrame("alert", "x\n\nevent: end\r\ndata: y\rz")).toBe("event: alert\ndata: x\ndata: \ndata: event: end\ndata: data: y\ndata: z\n\n");
  });
});

// The plant board's kept timelines (lib/features/dashboard/plant-timelines.ts): over random state
// streams arriving over time, random reason edits and refreshes, the timeline given at every refresh
// is the OEE core's on the states known then (machineTimeline); and the wire form
// (lib/features/dashboard/plant-wire.ts) gives back the same view.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { machineKey } from "#lib/contract/identity.ts";
import { DEFAULT_MAPPING, STATE_CODES } from "#lib/domain/oee/mapping.ts";
import type { ReasonEdit, StateEvent } from "#lib/domain/oee/types.ts";
import type { PlantView } from "#lib/features/dashboard/plant.ts";
import { topReasons } from "#lib/features/dashboard/plant.ts";
import { liveTimeline, machineTimeline } from "#lib/features/dashboard/plant-timelines.ts";
import { fromWire, plantBytes, plantJson, toWire } from "#lib/features/dashboard/plant-wire.ts";

const T0 = Date.UTC(2026, 11, 5, 6, 0);
const MIN = 60_000;
let n = 0;

function machine(): MachineInfo {
  const path = { enterprise: "t", site: "s", area: "a", line: "l", machine: `m-${n++}` };
  return {
    slug: path.machine,
    name: path.machine,
    idealCycleTimeS: 2,
    vibrationGroup: "GROUP_2",
    foundation: "RIGID",
    hasWaveformSensor: false,
    ...path,
    path,
    key: machineKey(path),
    timeZone: "Europe/Berlin",
    shifts: [],
    lossMapping: DEFAULT_MAPPING,
  } as MachineInfo;
}

const stream = fc.record({
  // state changes (repeats included: heartbeats) at minute offsets into the window
  states: fc.array(fc.record({ at: fc.integer({ min: -30, max: 240 }), state: fc.constantFrom(...Object.keys(STATE_CODES), "running") }), { maxLength: 40 }),
  // reason edits, each saved at some refresh
  edits: fc.array(
    fc.record({ at: fc.integer({ min: 0, max: 240 }), len: fc.integer({ min: 1, max: 60 }), reason: fc.constantFrom("jam", "tooling"), savedAt: fc.nat(11) }),
    { maxLength: 4 },
  ),
  // refresh times (minutes into the window), in any order of size: sorted below
  refreshes: fc.array(fc.integer({ min: 1, max: 240 }), { minLength: 1, maxLength: 12 }),
});

const machineView = {
  key: "t/s/a/l/m",
  name: 'M "1" Größe',
  line: "t/s/a/l",
  state: "running",
  since: T0,
  loss: "PRODUCTIVE",
  kpis: { oee: 0.5 },
  elements: { runS: 1.25 },
};

function viewOf(machines: unknown[]): PlantView {
  return {
    site: { key: "t/s", name: "S", timeZone: "UTC" },
    shift: { label: "x", start: T0, end: T0 + 8 * 60 * MIN, current: true },
    now: T0 + MIN,
    lines: [{ key: "t/s/a/l", name: "L", kpis: { oee: null }, elements: {} }],
    machines,
    losses: [{ name: "Breakdowns", seconds: 3 }],
    reasons: [{ reason: "jam", seconds: 2, stops: 1 }],
    knownReasons: ["jam"],
  } as unknown as PlantView;
}

// a calendar's planned time in the window: two stretches
const PART = [
  { start: T0 + 30 * MIN, end: T0 + 90 * MIN },
  { start: T0 + 120 * MIN, end: T0 + 300 * MIN },
];

describe("the top downtime reasons", () => {
  it("count a stop's planned part only, and not a stop outside its machine's planned time", () => {
    const seg = (from: number, to: number, reason: string) => ({
      start: T0 + from * MIN,
      end: T0 + to * MIN,
      state: "unknown",
      reason,
      loss: "UNPLANNED_STOP" as const,
    });
    // one machine planned in PART, one without a calendar (all of the window planned)
    const calendar = [seg(0, 20, "outside"), seg(80, 130, "across a break"), seg(140, 150, "inside")];
    const none = [seg(0, 20, "outside")];
    expect(topReasons([calendar, none], [PART, [{ start: T0, end: T0 + 300 * MIN }]])).toEqual([
      { reason: "across a break", seconds: 20 * 60, stops: 1 },
      { reason: "outside", seconds: 20 * 60, stops: 1 },
      { reason: "inside", seconds: 10 * 60, stops: 1 },
    ]);
  });
});

describe("the plant board's kept timelines", () => {
  it("equal the core's timeline of the states known at every refresh", () => {
    fc.assert(
      fc.property(stream, (s) => {
        const m = machine();
        const events: StateEvent[] = s.states.map((e) => ({ ts: T0 + e.at * MIN + 17, state: e.state })).sort((a, b) => a.ts - b.ts);
        const ends = [...s.refreshes].sort((a, b) => a - b);
        ends.forEach((end, i) => {
          const until = T0 + end * MIN;
          // what a read up to `until` gives, and the edits saved so far
          const known = events.filter((e) => e.ts < until);
          const edits: ReasonEdit[] = s.edits
            .filter((e) => e.savedAt <= i)
            .map((e) => ({ start: T0 + e.at * MIN, end: T0 + (e.at + e.len) * MIN, reason: e.reason }));
          const window = { start: T0, end: until };
          const timeline = liveTimeline(m, window, known, edits);
          const fresh = machineTimeline(m, window, known, edits);
          expect(timeline).toEqual(fresh);
          // the stops per reason, the kept part's totals reused, as from the segments one by one
          for (const planned of [[window], PART]) {
            // the first call keeps (or, the plan changed, renews) the kept part's totals, the second reuses them
            const want = topReasons([structuredClone(fresh), fresh], [planned, planned]);
            expect(topReasons([timeline, fresh], [planned, planned])).toEqual(want);
            expect(topReasons([timeline, fresh], [planned, planned])).toEqual(want);
          }
          // its JSON (each segment's text made once, kept segments' texts reused) as JSON.stringify makes it
          const view = viewOf([{ ...machineView, timeline }]);
          expect(plantJson(view)).toBe(JSON.stringify(toWire(view)));
          expect(new TextDecoder().decode(plantBytes(view))).toBe(JSON.stringify(toWire(view)));
        });
      }),
      { numRuns: 300 },
    );
  });

  it("reuses the last timeline when only the window's end moved", () => {
    const m = machine();
    const states = [
      { ts: T0 - MIN, state: "running" },
      { ts: T0 + 10 * MIN, state: "equipment_failure" },
    ];
    const a = liveTimeline(m, { start: T0, end: T0 + 20 * MIN }, states, []);
    const b = liveTimeline(m, { start: T0, end: T0 + 25 * MIN }, [...states], []);
    expect(b[0]).toBe(a[0]);
    expect(b.at(-1)).toEqual({ ...a.at(-1), end: T0 + 25 * MIN });
  });
});

describe("the plant view on the wire", () => {
  it("timelines as arrays, read back as the view", () => {
    const view = {
      site: { key: "t/s", name: "S", timeZone: "UTC" },
      shift: { label: "x", start: T0, end: T0 + 8 * 60 * MIN, current: true },
      now: T0 + MIN,
      lines: [],
      machines: [
        {
          key: "t/s/a/l/m",
          name: "M",
          line: "t/s/a/l",
          state: "running",
          since: T0,
          loss: "PRODUCTIVE",
          kpis: {},
          elements: {},
          timeline: [
            { start: T0, end: T0 + 5, state: "running", loss: "PRODUCTIVE" },
            { start: T0 + 5, end: T0 + 9, state: "equipment_failure", reason: "jam", loss: "BREAKDOWN" },
          ],
        },
      ],
      losses: [],
      reasons: [],
      knownReasons: [],
    } as unknown as PlantView;
    const wire = toWire(view);
    expect(wire.machines[0]?.timeline).toEqual([
      [T0, T0 + 5, "running", "PRODUCTIVE"],
      [T0 + 5, T0 + 9, "equipment_failure", "BREAKDOWN", "jam"],
    ]);
    expect(fromWire(JSON.parse(JSON.stringify(wire)))).toEqual(view);
    // the answer's text made from the segments' texts: the same, made twice, and with no machines
    expect(plantJson(view)).toBe(JSON.stringify(wire));
    expect(plantJson(view)).toBe(JSON.stringify(wire));
    expect(plantJson(viewOf([]))).toBe(JSON.stringify(toWire(viewOf([]))));
    expect(new TextDecoder().decode(plantBytes(view))).toBe(JSON.stringify(wire));
    expect(new TextDecoder().decode(plantBytes(viewOf([])))).toBe(JSON.stringify(toWire(viewOf([]))));
  });
});

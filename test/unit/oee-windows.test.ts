// Many windows of one machine at once (computeWindows) and a coarser bucket summed from its minutes
// (resultFromMinutes): both must give the OEE core's numbers on all the events, over random machines.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeOee } from "#lib/domain/oee/compute.ts";
import { DEFAULT_MAPPING, STATE_CODES, versionLabel } from "#lib/domain/oee/mapping.ts";
import { COUNTER_FLAGS, type MinuteSum, minuteSumUsable, resultFromMinutes } from "#lib/domain/oee/minute-sums.ts";
import type { CountEvent, OeeInput, OeeResult, StateEvent } from "#lib/domain/oee/types.ts";
import { computeWindows } from "#lib/domain/oee/windows.ts";

const T0 = Date.UTC(2026, 10, 25, 0, 0);
const MIN = 60_000;
const SPAN = 150 * MIN;
const states = Object.keys(STATE_CODES);

const machine = fc.record({
  idealCycleTimeS: fc.double({ min: 0.1, max: 60, noNaN: true }),
  // changes and heartbeats, some at the same instant, some before the span
  states: fc.array(fc.record({ offset: fc.integer({ min: -40 * MIN, max: SPAN + 5 * MIN }), state: fc.constantFrom(...states) }), { maxLength: 80 }),
  // sometimes nothing at all before the span's end: a machine that never sent, or started just after
  silent: fc.boolean(),
  first: fc.option(fc.constantFrom(...states), { nil: undefined }),
  cumulative: fc.boolean(),
  counts: fc.array(
    fc.record({ offset: fc.integer({ min: -10 * MIN, max: SPAN }), total: fc.integer({ min: 0, max: 400 }), reject: fc.integer({ min: 0, max: 20 }) }),
    {
      maxLength: 60,
    },
  ),
  edits: fc.array(fc.record({ offset: fc.integer({ min: -5 * MIN, max: SPAN }), len: fc.integer({ min: 1, max: 20 * MIN }) }), { maxLength: 3 }),
  calendar: fc.boolean(),
  startupWindowS: fc.constantFrom(0, 90, 600),
  thresholdS: fc.constantFrom(60, 120, 300),
});
type Machine = typeof machine extends fc.Arbitrary<infer T> ? T : never;

function base(m: Machine): Omit<OeeInput, "window"> {
  const stateEvents: StateEvent[] = [
    ...(m.first ? [{ ts: T0 - 3_600_000, state: m.first }] : []),
    ...m.states.map((s) => ({ ts: T0 + s.offset, state: s.state })),
  ].filter((e) => !m.silent || e.ts >= T0 + SPAN);
  const counts: CountEvent[] = m.cumulative
    ? m.counts.map((c) => ({ ts: T0 + c.offset, mode: "cumulative", total: c.total, reject: Math.min(c.total, c.reject) }))
    : m.counts.map((c) => ({ ts: T0 + c.offset, mode: "delta", total: c.total, reject: Math.min(c.total, c.reject) }));
  return {
    idealCycleTimeS: m.idealCycleTimeS,
    plan: m.calendar
      ? {
          kind: "calendar",
          timeZone: "Europe/Berlin",
          shifts: [{ name: "s", weekdays: [1, 2, 3, 4, 5, 6, 7], start: "01:30", end: "02:40", breaks: [{ startOffsetMin: 20, durationMin: 15 }] }],
        }
      : { kind: "window" },
    mapping: {
      ...DEFAULT_MAPPING,
      microStopThresholdS: m.thresholdS,
      startupWindowS: m.startupWindowS,
      rules: [...DEFAULT_MAPPING.rules, { reason: "setup", loss: "SETUP_ADJUSTMENT" }],
    },
    states: stateEvents,
    counts,
    reasonEdits: m.edits.map((e) => ({ start: T0 + e.offset, end: T0 + e.offset + e.len, reason: "setup" })),
  };
}

/** What the adapter's aggregate gives for these minute results. */
function summed(minutes: OeeResult[], version: string, ict: number): MinuteSum {
  const add = (k: keyof MinuteSum["elements"]) => minutes.reduce((a, r) => a + r.elements[k], 0);
  const keys = [
    "calendarS",
    "plannedBusyS",
    "breakdownS",
    "setupS",
    "otherStopS",
    "runS",
    "smallStopS",
    "netRunS",
    "fullyProductiveS",
    "dataGapS",
    "total",
    "reject",
    "startupReject",
    "failures",
  ] as const;
  return {
    rows: minutes.length,
    unsettled: 0,
    mappingVersions: [version],
    idealCycleTimes: [ict],
    counterFlags: [...new Set(minutes.flatMap((r) => r.flags.filter((f) => COUNTER_FLAGS.has(f))))],
    elements: Object.fromEntries(keys.map((k) => [k, add(k)])) as MinuteSum["elements"],
  };
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));

describe("OEE over many windows", () => {
  it("computeWindows gives computeOee's result for every minute", { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(machine, (m) => {
        const b = base(m);
        const windows = Array.from({ length: SPAN / MIN }, (_, i) => ({ start: T0 + i * MIN, end: T0 + (i + 1) * MIN }));
        const many = computeWindows(b, windows);
        windows.forEach((w, i) => {
          expect(many[i]).toEqual(computeOee({ ...b, window: w }));
        });
      }),
      { numRuns: 150 },
    );
  });

  it("a bucket summed from its minutes equals the core on the whole bucket (when the minutes are usable)", { timeout: 120_000 }, () => {
    let used = 0;
    fc.assert(
      fc.property(machine, (m) => {
        const b = base(m);
        const bucket = { start: T0, end: T0 + SPAN };
        const minutes = computeWindows(
          b,
          Array.from({ length: SPAN / MIN }, (_, i) => ({ start: T0 + i * MIN, end: T0 + (i + 1) * MIN })),
        );
        const version = versionLabel(b.mapping);
        const s = summed(minutes, version, m.idealCycleTimeS);
        const why = minuteSumUsable(s, bucket, version, m.idealCycleTimeS);
        const whole = computeOee({ ...b, window: bucket });
        if (why !== null) {
          // the only reason here: time before the first event ever, not the whole bucket
          expect(why).toBe("data_gap");
          expect(whole.elements.dataGapS).toBeGreaterThan(0);
          return;
        }
        used++;
        const got = resultFromMinutes(s, version, m.idealCycleTimeS);
        for (const k of Object.keys(whole.elements) as (keyof OeeResult["elements"])[])
          expect(close(got.elements[k], whole.elements[k]), `${k}: ${got.elements[k]} vs ${whole.elements[k]}`).toBe(true);
        for (const k of Object.keys(whole.losses) as (keyof OeeResult["losses"])[])
          expect(close(got.losses[k], whole.losses[k]), `${k}: ${got.losses[k]} vs ${whole.losses[k]}`).toBe(true);
        for (const k of Object.keys(whole.kpis) as (keyof OeeResult["kpis"])[]) {
          const [x, y] = [got.kpis[k], whole.kpis[k]];
          expect(x === null || y === null ? x === y : close(x, y), `${k}: ${x} vs ${y}`).toBe(true);
        }
        expect(new Set(got.flags)).toEqual(new Set(whole.flags));
        expect(got.mappingVersion).toBe(whole.mappingVersion);
      }),
      { numRuns: 300 },
    );
    expect(used).toBeGreaterThan(100);
  });

  it("minute rows that cannot give a bucket exactly are refused, each for its reason", () => {
    const s: MinuteSum = {
      rows: 60,
      unsettled: 0,
      mappingVersions: ["std@v1"],
      idealCycleTimes: [2],
      counterFlags: [],
      elements: {
        calendarS: 3600,
        plannedBusyS: 3600,
        breakdownS: 0,
        setupS: 0,
        otherStopS: 0,
        runS: 3600,
        smallStopS: 0,
        netRunS: 0,
        fullyProductiveS: 0,
        dataGapS: 0,
        total: 0,
        reject: 0,
        startupReject: 0,
        failures: 0,
      },
    };
    const hour = { start: T0, end: T0 + 60 * MIN };
    expect(minuteSumUsable(s, hour, "std@v1", 2)).toBeNull();
    expect(minuteSumUsable(s, { start: T0 + 30_000, end: T0 + 60 * MIN + 30_000 }, "std@v1", 2)).toBe("not_minute_aligned");
    expect(minuteSumUsable(undefined, hour, "std@v1", 2)).toBe("minutes_missing");
    expect(minuteSumUsable({ ...s, rows: 59 }, hour, "std@v1", 2)).toBe("minutes_missing");
    expect(minuteSumUsable({ ...s, unsettled: 1 }, hour, "std@v1", 2)).toBe("minutes_unsettled");
    expect(minuteSumUsable(s, hour, "std@v2", 2)).toBe("mapping_changed");
    expect(minuteSumUsable({ ...s, mappingVersions: ["std@v1", "std@v2"] }, hour, "std@v1", 2)).toBe("mapping_changed");
    expect(minuteSumUsable(s, hour, "std@v1", 3)).toBe("ideal_cycle_changed");
    expect(minuteSumUsable({ ...s, elements: { ...s.elements, dataGapS: 5 } }, hour, "std@v1", 2)).toBe("data_gap");
    // a machine that sent nothing in the whole bucket: an unknown stop throughout, which adds up
    expect(minuteSumUsable({ ...s, elements: { ...s.elements, dataGapS: 3600, otherStopS: 3600, runS: 0 } }, hour, "std@v1", 2)).toBeNull();
    // ... unless its first event came just after, making the last minutes small stops
    expect(minuteSumUsable({ ...s, elements: { ...s.elements, dataGapS: 3600, otherStopS: 3540, smallStopS: 60, runS: 0 } }, hour, "std@v1", 2)).toBe(
      "data_gap",
    );
  });
});

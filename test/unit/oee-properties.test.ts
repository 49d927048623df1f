// Properties of the OEE core over random machines, event streams and windows (fast-check).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeOee, rollup } from "#lib/domain/oee/compute.ts";
import { DEFAULT_MAPPING, STATE_CODES } from "#lib/domain/oee/mapping.ts";
import type { CountEvent, OeeInput, OeeResult, StateEvent } from "#lib/domain/oee/types.ts";

const T0 = Date.UTC(2026, 10, 25, 0, 0);
const HOUR = 3_600_000;
const states = Object.keys(STATE_CODES);

const machine = fc.record({
  idealCycleTimeS: fc.double({ min: 0.1, max: 60, noNaN: true }),
  // a state before the window, so there is no data gap
  states: fc.array(fc.record({ offset: fc.integer({ min: 1, max: 8 * HOUR - 1 }), state: fc.constantFrom(...states) }), { maxLength: 60 }),
  first: fc.constantFrom(...states),
  counts: fc.array(
    fc.record({
      offset: fc.integer({ min: 0, max: 8 * HOUR - 1 }),
      total: fc.integer({ min: 0, max: 500 }),
      rejectShare: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
    { maxLength: 40 },
  ),
  calendar: fc.boolean(),
  startupWindowS: fc.constantFrom(0, 600),
});

type Machine = typeof machine extends fc.Arbitrary<infer T> ? T : never;

function build(m: Machine, start: number, end: number): OeeInput {
  const stateEvents: StateEvent[] = [{ ts: T0 - 1000, state: m.first }, ...m.states.map((s) => ({ ts: T0 + s.offset, state: s.state }))];
  const counts: CountEvent[] = m.counts.map((c) => ({ ts: T0 + c.offset, mode: "delta", total: c.total, reject: Math.floor(c.total * c.rejectShare) }));
  return {
    window: { start, end },
    idealCycleTimeS: m.idealCycleTimeS,
    plan: m.calendar
      ? {
          kind: "calendar",
          timeZone: "Europe/Berlin",
          shifts: [{ name: "s", weekdays: [1, 2, 3, 4, 5, 6, 7], start: "01:30", end: "06:00", breaks: [{ startOffsetMin: 60, durationMin: 20 }] }],
        }
      : { kind: "window" },
    mapping: { ...DEFAULT_MAPPING, startupWindowS: m.startupWindowS },
    states: stateEvents,
    counts,
  };
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
const ADDITIVE = [
  "startupReject",
  "calendarS",
  "plannedBusyS",
  "breakdownS",
  "setupS",
  "otherStopS",
  "runS",
  "smallStopS",
  "netRunS",
  "fullyProductiveS",
  "total",
  "reject",
  "good",
  "failures",
] as const;

describe("OEE properties", () => {
  it("regression: a breakdown starting before a shift and split before the shift counts once", () => {
    const m: Machine = {
      idealCycleTimeS: 0.1,
      states: [{ offset: 1, state: "equipment_failure" }],
      first: "running",
      counts: [],
      calendar: true,
      startupWindowS: 0,
    };
    const whole = computeOee(build(m, T0, T0 + 8 * HOUR));
    const up = rollup([computeOee(build(m, T0, T0 + 2)), computeOee(build(m, T0 + 2, T0 + 8 * HOUR))]);
    expect(whole.elements.failures).toBe(1);
    expect(up.elements.failures).toBe(1);
  });

  it("0 ≤ A ≤ 1 and 0 ≤ Q ≤ 1; A × P × Q = good × ideal / planned; never NaN", () => {
    fc.assert(
      fc.property(machine, (m) => {
        const r = computeOee(build(m, T0, T0 + 8 * HOUR));
        const { availability: a, performance: p, quality: q, oee } = r.kpis;
        if (a !== null) expect(a >= 0 && a <= 1).toBe(true);
        if (q !== null) expect(q >= 0 && q <= 1).toBe(true);
        if (r.elements.plannedBusyS > 0) expect(close(oee ?? Number.NaN, (r.elements.good * m.idealCycleTimeS) / r.elements.plannedBusyS)).toBe(true);
        if (a !== null && p !== null && q !== null && oee !== null) expect(close(a * p * q, oee)).toBe(true);
        for (const v of [...Object.values(r.elements), ...Object.values(r.kpis)]) expect(Number.isNaN(v)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it("the roll-up of machines equals the calculation on their summed times and counts", () => {
    fc.assert(
      fc.property(fc.array(machine, { minLength: 1, maxLength: 5 }), (ms) => {
        const parts = ms.map((m) => computeOee(build(m, T0, T0 + 8 * HOUR)));
        const up = rollup(parts);
        for (const k of ADDITIVE)
          expect(
            close(
              up.elements[k],
              parts.reduce((s, p) => s + p.elements[k], 0),
            ),
          ).toBe(true);
        const pbt = up.elements.plannedBusyS;
        if (pbt > 0) expect(close(up.kpis.oee ?? Number.NaN, parts.reduce((s, p) => s + p.elements.fullyProductiveS, 0) / pbt)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("splitting a window into parts and rolling them up gives the whole", { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(machine, fc.array(fc.integer({ min: 1, max: 8 * HOUR - 1 }), { minLength: 1, maxLength: 4 }), (m, cuts) => {
        const bounds = [T0, ...[...new Set(cuts)].sort((a, b) => a - b).map((c) => T0 + c), T0 + 8 * HOUR];
        const whole = computeOee(build(m, T0, T0 + 8 * HOUR));
        const pieces: OeeResult[] = [];
        for (let i = 0; i + 1 < bounds.length; i++) pieces.push(computeOee(build(m, bounds[i] as number, bounds[i + 1] as number)));
        const up = rollup(pieces);
        for (const k of ADDITIVE) expect(close(up.elements[k], whole.elements[k]), `${k}: ${up.elements[k]} vs ${whole.elements[k]}`).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it("repeating the current state (heartbeats) changes nothing", () => {
    fc.assert(
      fc.property(machine, fc.array(fc.integer({ min: 0, max: 8 * HOUR - 1 }), { maxLength: 30 }), (m, beats) => {
        const input = build(m, T0, T0 + 8 * HOUR);
        const sorted = [...input.states].sort((a, b) => a.ts - b.ts);
        // a heartbeat repeats whatever state holds at its time (strictly after that state's event)
        const heartbeats = beats.flatMap((b) => {
          const ts = T0 + b;
          const current = sorted.filter((e) => e.ts < ts).at(-1);
          return current && !sorted.some((e) => e.ts === ts) ? [{ ...current, ts }] : [];
        });
        const plain = computeOee(input);
        const beating = computeOee({ ...input, states: [...input.states, ...heartbeats] });
        expect(beating).toEqual(plain);
      }),
      { numRuns: 500 },
    );
  });
});

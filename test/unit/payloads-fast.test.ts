// The hand-written payload check of the ingest hot path (lib/contract/payloads-fast.ts) against the zod
// schemas that are the contract: on generated payloads, valid and broken in every field, it accepts
// exactly what the schema accepts and returns the same message.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PAYLOADS } from "#lib/contract/payloads.ts";
import { fastTelemetry } from "#lib/contract/payloads-fast.ts";
import { isoBySpec, isoMicros } from "#lib/contract/timestamp.ts";
import type { TelemetryChannel } from "#lib/contract/topics.ts";
import { STATE_CODES } from "#lib/domain/oee/mapping.ts";

/** A value that is usually right for the field and sometimes anything at all (or missing). */
const or = <T>(good: fc.Arbitrary<T>, ...near: fc.Arbitrary<unknown>[]) =>
  fc.oneof(
    { weight: 20, arbitrary: good },
    ...near.map((a) => ({ weight: 1, arbitrary: a })),
    { weight: 1, arbitrary: JUNK },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

const JUNK: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.constant(Number.NaN),
  fc.constant(Number.POSITIVE_INFINITY),
  fc.constant(-0),
  fc.boolean(),
  fc.string({ maxLength: 5 }),
  fc.double(),
  fc.integer(),
  fc.constant(2 ** 53),
  fc.constant([]),
  fc.constant({}),
);

const ts = or(
  fc.integer({ min: 0, max: Date.UTC(2199, 0, 1) }),
  fc.date({ min: new Date(0), max: new Date(Date.UTC(2199, 0, 1)), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constant("2026-02-30T00:00:00Z"),
  fc.constant("2026-11-25T08:00:00.123456+02:00"),
  fc.constant(1.5),
  fc.constant(-1),
);
const v = fc.oneof({ weight: 8, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.constant(2) }, { weight: 1, arbitrary: fc.constant("1") });
const count = (max: number) => or(fc.integer({ min: 0, max }), fc.integer({ min: -5, max: -1 }), fc.constant(max + 1), fc.constant(2.5));
const num = (min: number, max: number) => or(fc.double({ min, max, noNaN: true }), fc.constant(min - 1), fc.constant(max * 2 + 1));
const sensor = or(fc.constantFrom("main", "de", "nde-2", "x_1"), fc.constantFrom("Main", "-x", "", "a".repeat(65)));
const text = (max: number) => or(fc.string({ minLength: 1, maxLength: max }), fc.constant(""), fc.constant("x".repeat(max + 1)));

const record = (shape: Record<string, fc.Arbitrary<unknown>>) =>
  fc.record({ ...shape, extra: fc.option(fc.string(), { nil: undefined }) }).map((o) => {
    // a key whose value is undefined is a key that was not sent (JSON has no undefined)
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) if (x !== undefined) out[k] = x;
    return out;
  });

const STATE_NAMES = Object.keys(STATE_CODES);
const CHANNELS: Record<TelemetryChannel, fc.Arbitrary<Record<string, unknown>>> = {
  state: record({
    v,
    ts,
    state: or(fc.constantFrom(...STATE_NAMES), fc.constantFrom("toString", "__proto__", "RUNNING")),
    code: or(fc.constantFrom(...Object.values(STATE_CODES), 10001, 20005, 60000), fc.constant(2_147_483_648)),
    reason: text(200),
  }),
  counts: record({
    v,
    ts,
    mode: or(fc.constantFrom("cumulative", "delta"), fc.constant("total")),
    total: count(1000),
    reject: count(1000),
    counter_max: count(1000),
  })
    // edges the independent fields seldom meet: reject and counter_max at total - 1, total, total + 1
    .chain((o) =>
      fc.record({ reject: fc.integer({ min: -1, max: 1 }), max: fc.integer({ min: -1, max: 1 }), which: fc.nat(3) }).map(({ reject, max, which }) => {
        if (typeof o.total !== "number") return o;
        if (which === 1) return { ...o, reject: o.total + reject };
        if (which === 2) return { ...o, counter_max: o.total + max };
        return o;
      }),
    ),
  vibration: record({
    v,
    ts,
    sensor,
    velocity_rms_mm_s: num(0, 10_000),
    accel_rms_g: num(0, 100),
    accel_peak_g: num(0, 100),
    crest_factor: num(0, 10_000),
    kurtosis: num(0, 1_000_000),
    temperature_c: num(-273.15, 5_000),
    speed_rpm: num(0, 1_000_000),
  }),
  waveform: record({
    v,
    ts,
    sensor,
    sample_rate_hz: or(fc.double({ min: 1e-3, max: 1e6, noNaN: true }), fc.constant(0), fc.constant(1e6 + 1)),
    unit: or(fc.constantFrom("g", "m_s2", "mm_s"), fc.constant("G")),
    speed_rpm: num(0, 1_000_000),
    samples: or(
      fc.array(fc.double({ min: -1e9, max: 1e9, noNaN: true }), { minLength: 16, maxLength: 40 }),
      fc.array(fc.double(), { minLength: 16, maxLength: 20 }),
      fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { maxLength: 15 }),
      fc.array(JUNK, { minLength: 16, maxLength: 17 }),
    ),
  }),
  metrics: record({
    v,
    ts,
    metrics: or(
      fc.array(
        or(
          record({
            name: or(fc.constantFrom("spindle.load", "temp_1", "a", "p2"), fc.constantFrom("Temp", "1x", "")),
            value: num(-1e300, 1e300),
            unit: text(32),
          }),
        ),
        { minLength: 1, maxLength: 5 },
      ),
      fc.constant([]),
    ),
  }),
};

describe("the ingest hot path's payload check", () => {
  for (const [channel, payloads] of Object.entries(CHANNELS) as [TelemetryChannel, fc.Arbitrary<Record<string, unknown>>][]) {
    it(`${channel}: accepts exactly what the schema accepts, and returns the same message`, () => {
      let accepted = 0;
      let refused = 0;
      fc.assert(
        fc.property(payloads, (p) => {
          // what the worker sees: the payload as it comes out of JSON.parse
          const json = JSON.parse(JSON.stringify(p)) as unknown;
          const schema = PAYLOADS[channel].safeParse(json);
          const fast = fastTelemetry(channel, json);
          if (schema.success) accepted++;
          else refused++;
          expect(fast !== undefined).toBe(schema.success);
          if (fast && schema.success) expect(fast).toStrictEqual({ channel, msg: schema.data });
        }),
        { numRuns: 3000, seed: 16 },
      );
      // both sides of the comparison were exercised
      expect(accepted).toBeGreaterThan(100);
      expect(refused).toBeGreaterThan(100);
    });
  }

  it("leaves what is not an object to the schema", () => {
    for (const x of [null, 1, "x", [], [{ v: 1 }]]) expect(fastTelemetry("state", x)).toBeUndefined();
  });
});

describe("the hot path's timestamp reader", () => {
  const pad = (n: number, w: number) => String(n).padStart(w, "0");
  // well-formed and nearly well-formed ISO 8601 text: any day in range or just outside it, 0-10 fraction digits, Z or an offset
  const iso = fc
    .record({
      y: fc.oneof(fc.integer({ min: 1968, max: 2201 }), fc.constantFrom(1970, 1972, 2000, 2024, 2100, 2104, 2199)),
      mo: fc.integer({ min: 0, max: 13 }),
      d: fc.oneof(fc.integer({ min: 1, max: 28 }), fc.integer({ min: 0, max: 32 })),
      h: fc.oneof(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 25 })),
      mi: fc.integer({ min: 0, max: 60 }),
      sec: fc.integer({ min: 0, max: 60 }),
      fraction: fc.string({ unit: fc.constantFrom(..."0123456789"), maxLength: 10 }),
      dot: fc.boolean(),
      zone: fc.oneof(
        fc.constant("Z"),
        fc
          .tuple(fc.constantFrom("+", "-"), fc.integer({ min: 0, max: 19 }), fc.oneof(fc.constantFrom(0, 30, 45), fc.integer({ min: 0, max: 99 })))
          .map(([s, h, m]) => `${s}${pad(h, 2)}:${pad(m, 2)}`),
      ),
      typo: fc.oneof(
        { weight: 4, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.tuple(fc.nat(40), fc.constantFrom("x", " ", "1", ":", "-", "T", "Z", ".")) },
      ),
    })
    .map(({ y, mo, d, h, mi, sec, fraction, dot, zone, typo }) => {
      let s = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(sec, 2)}${dot ? `.${fraction}` : ""}${zone}`;
      if (typo) s = s.slice(0, typo[0]) + typo[1] + s.slice(typo[0] + 1);
      return s;
    });

  it("gives the contract's instant wherever it gives one, and reads the usual forms itself", () => {
    let read = 0;
    fc.assert(
      fc.property(iso, (s) => {
        const fast = isoMicros(s);
        if (fast !== undefined) {
          read++;
          expect(fast).toBe(isoBySpec(s));
        }
      }),
      { numRuns: 20_000, seed: 16 },
    );
    expect(read).toBeGreaterThan(1500);
    for (const s of ["2026-11-25T08:00:00.123456Z", "2024-02-29T23:59:59.9999999-05:30", "2026-11-25T08:00:00+01:00", "1970-01-01T00:00:00Z"]) {
      expect(isoMicros(s)).toBe(isoBySpec(s));
    }
  });
});

// Hostile MQTT payloads for the fuzz suite (andon bench fuzz, test/integration/fuzz.test.ts), generated
// with fast-check on top of the contract: each family breaks one rule of docs/mqtt.md, mixed with
// valid messages. Pure: machines, the clock and the seed come in as arguments.
import fc from "fast-check";
import { MQTT_MAX_PACKET_BYTES } from "#lib/contract/limits.ts";
import { STATE_CODES } from "#lib/contract/payloads.ts";
import { TS_MAX_MS } from "#lib/contract/timestamp.ts";

export interface FuzzMessage {
  topic: string;
  payload: Buffer;
  /** The generator family ("valid", "valid-proto-keys" or a hostile family). */
  family: string;
  /** What the contract says must happen to it. */
  expect: "stored" | "dead-letter";
}

export interface FuzzContext {
  machines: string[];
  /** Device time of the first message (epoch ms); message i gets t0 + i unless its family breaks ts. */
  t0Ms: number;
  nowMs: number;
  maxFutureS: number;
  maxAgeS: number;
}

type Body = Record<string, unknown>;
type Channel = "state" | "counts" | "vibration" | "metrics";
const CHANNELS: Channel[] = ["state", "counts", "vibration", "metrics"];
const STATES = Object.keys(STATE_CODES);

/** Raw JSON text: numbers JSON.stringify cannot write (1e999 parses as Infinity) and broken fragments. */
class Raw {
  constructor(readonly text: string) {}
}
const json = (v: unknown): string => {
  if (v instanceof Raw) return v.text;
  if (Array.isArray(v)) return `[${v.map(json).join(",")}]`;
  if (v !== null && typeof v === "object") {
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}:${json(x)}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
};

function validBody(channel: Channel, ts: unknown, i: number): Body {
  switch (channel) {
    case "state":
      return { v: 1, ts, state: STATES[i % STATES.length] };
    case "counts":
      return { v: 1, ts, mode: "delta", total: 1 + (i % 7), reject: i % 3 === 0 ? 1 : 0 };
    case "vibration":
      return { v: 1, ts, sensor: "de", velocity_rms_mm_s: 1 + (i % 50) / 10, kurtosis: 3.2, temperature_c: 41.5 };
    case "metrics":
      return { v: 1, ts, metrics: [{ name: "hydraulic.pressure", value: 180 + (i % 10), unit: "bar" }] };
  }
}

/** The fields a channel's schema reads, each with a value of the wrong kind or out of its range. */
const BAD_VALUES: Record<Channel, Record<string, unknown[]>> = {
  state: {
    v: ["1", true, null, [], {}, 1.5, 0],
    state: [1, true, null, [], {}, "RUNNING", ""],
    code: ["10000", -1, 1.5, 2 ** 31, new Raw("1e999"), null],
    reason: [1, [], {}, "", "x".repeat(201)],
  },
  counts: {
    mode: [1, null, "absolute", []],
    total: ["5", -1, 1.5, 2 ** 60, new Raw("1e999"), new Raw("-1e999"), null, {}],
    reject: ["1", -1, 0.5, null, []],
    counter_max: ["65535", -1, 1.5],
  },
  vibration: {
    sensor: [1, "", "DE", "a".repeat(65), null, {}],
    velocity_rms_mm_s: ["1", -1, 1e308, new Raw("1e999"), new Raw("-1e999"), null, []],
    kurtosis: [true, -0.5, 1e300],
    temperature_c: [-274, 1e6, "hot", new Raw("1e999")],
    speed_rpm: [-1, 1e12, "fast"],
  },
  metrics: {
    metrics: [[], {}, "x", null, [{ name: "Bad Name", value: 1 }], [{ name: "x", value: new Raw("1e999") }], [{ name: "x", value: "1" }], [{ value: 1 }]],
  },
};

const READ_FIELD: Record<Channel, string> = { state: "state", counts: "total", vibration: "velocity_rms_mm_s", metrics: "metrics" };

/** Mostly min..typical, one time in 50 up to max (keeps 10,000 messages within tens of megabytes). */
const rarelyLarge = (min: number, typical: number, max: number) =>
  fc.oneof({ weight: 49, arbitrary: fc.integer({ min, max: typical }) }, { weight: 1, arbitrary: fc.integer({ min: typical, max }) });

export function fuzzArbitrary(ctx: FuzzContext): fc.Arbitrary<(i: number) => FuzzMessage> {
  const machine = fc.constantFrom(...ctx.machines);
  const channel = fc.constantFrom(...CHANNELS);
  const msg =
    (family: string, expect: FuzzMessage["expect"], build: (i: number, ts: number) => { topic: string; payload: string | Buffer }) =>
    (i: number): FuzzMessage => {
      const { topic, payload } = build(i, ctx.t0Ms + i);
      return { topic, payload: typeof payload === "string" ? Buffer.from(payload) : payload, family, expect };
    };
  const on = (m: string, c: Channel) => `${m}/${c}`;
  const tooFuture = ctx.nowMs + (ctx.maxFutureS + 3600) * 1000;
  const tooOld = ctx.nowMs - (ctx.maxAgeS + 3600) * 1000;
  const tsValues: unknown[] = [
    -1,
    1.5,
    0,
    TS_MAX_MS - 1,
    TS_MAX_MS,
    8.64e15,
    8.64e15 + 1,
    Number.MAX_SAFE_INTEGER,
    2 ** 53 + 2,
    1e20,
    1e308,
    new Raw("1e999"),
    new Raw("-0"),
    tooFuture,
    tooOld,
    "+275760-09-13T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "1969-12-31T23:59:59Z",
    "2026-13-01T00:00:00Z",
    "2026-11-25T08:00:00",
    new Date(tooFuture).toISOString(),
    null,
    [],
    {},
  ];

  return fc.oneof(
    {
      weight: 300,
      arbitrary: fc.tuple(machine, channel).map(([m, c]) => msg("valid", "stored", (i, ts) => ({ topic: on(m, c), payload: json(validBody(c, ts, i)) }))),
    },
    {
      weight: 30,
      arbitrary: fc
        .tuple(machine, channel, fc.constantFrom("__proto__", "constructor", "prototype"))
        .map(([m, c, k]) =>
          msg("valid-proto-keys", "stored", (i, ts) => ({ topic: on(m, c), payload: json({ ...validBody(c, ts, i), [k]: { v: 2, polluted: true } }) })),
        ),
    },
    {
      weight: 30,
      arbitrary: fc.tuple(machine, channel).map(([m, c]) =>
        // the required fields only under __proto__: JSON.parse makes it an own key, so v and ts are missing
        msg("proto-only", "dead-letter", (i, ts) => ({ topic: on(m, c), payload: `{"__proto__":${json(validBody(c, ts, i))}}` })),
      ),
    },
    {
      weight: 100,
      arbitrary: fc
        .tuple(machine, channel, fc.constantFrom(...tsValues))
        .map(([m, c, t]) => msg("timestamp", "dead-letter", (i) => ({ topic: on(m, c), payload: json(validBody(c, t, i)) }))),
    },
    {
      weight: 120,
      arbitrary: fc.tuple(machine, channel, fc.nat(), fc.nat()).map(([m, c, a, b]) => {
        const fields = Object.entries(BAD_VALUES[c]);
        const [field, values] = fields[a % fields.length] as [string, unknown[]];
        const bad = values[b % values.length];
        return msg("wrong-type-or-range", "dead-letter", (i, ts) => ({ topic: on(m, c), payload: json({ ...validBody(c, ts, i), [field]: bad }) }));
      }),
    },
    {
      weight: 40,
      arbitrary: fc
        .tuple(machine, channel, rarelyLarge(100, 20_000, 150_000), fc.boolean(), fc.constantFrom("v", "ts", "read", ""))
        .map(([m, c, depth, arrays, where]) =>
          msg("deep-nesting", "dead-letter", (i, ts) => {
            // in a field the channel reads (extra fields are ignored by the contract), or as the whole payload
            const field = where === "read" ? READ_FIELD[c] : where;
            const deep = arrays ? `${"[".repeat(depth)}${"]".repeat(depth)}` : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
            return { topic: on(m, c), payload: field === "" ? deep : json({ ...validBody(c, ts, i), [field]: new Raw(deep) }) };
          }),
        ),
    },
    {
      weight: 40,
      arbitrary: fc.tuple(machine, rarelyLarge(201, 5_000, 1_000_000), fc.constantFrom("reason", "state", "sensor")).map(([m, len, field]) =>
        msg("long-string", "dead-letter", (i, ts) => {
          const c: Channel = field === "sensor" ? "vibration" : "state";
          return { topic: on(m, c), payload: json({ ...validBody(c, ts, i), [field]: "é".repeat(len) }) };
        }),
      ),
    },
    {
      weight: 50,
      arbitrary: fc.tuple(machine, channel, fc.uint8Array({ minLength: 0, maxLength: 2048 })).map(([m, c, bytes]) =>
        // 0xFF is never valid UTF-8 and never starts JSON
        msg("binary", "dead-letter", () => ({ topic: on(m, c), payload: Buffer.concat([Buffer.from([0xff]), Buffer.from(bytes)]) })),
      ),
    },
    {
      weight: 30,
      arbitrary: fc.tuple(machine, fc.constantFrom([0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80])).map(([m, bad]) =>
        msg("invalid-utf8", "dead-letter", (_i, ts) => ({
          topic: on(m, "state"),
          payload: Buffer.concat([Buffer.from(`{"v":1,"ts":${ts},"state":"run`), Buffer.from(bad), Buffer.from(`ning"}`)]),
        })),
      ),
    },
    { weight: 20, arbitrary: fc.tuple(machine, channel).map(([m, c]) => msg("empty", "dead-letter", () => ({ topic: on(m, c), payload: Buffer.alloc(0) }))) },
    {
      weight: 30,
      arbitrary: fc.tuple(machine, fc.nat()).map(([m, k]) =>
        msg("contradiction", "dead-letter", (_i, ts) => {
          const cases = [
            [on(m, "counts"), { v: 1, ts, mode: "delta", total: 3, reject: 5 }],
            [on(m, "counts"), { v: 1, ts, mode: "delta", total: 3, counter_max: 10 }],
            [on(m, "counts"), { v: 1, ts, mode: "cumulative", total: 70_000, counter_max: 65_535 }],
            [on(m, "state"), { v: 1, ts, state: "running", code: 180_000 }],
            [on(m, "state"), { v: 1, ts }],
            [on(m, "vibration"), { v: 1, ts, sensor: "de" }],
            [
              on(m, "metrics"),
              {
                v: 1,
                ts,
                metrics: [
                  { name: "x", value: 1 },
                  { name: "x", value: 2 },
                ],
              },
            ],
          ] as const;
          const [topic, body] = cases[k % cases.length] as (typeof cases)[number];
          return { topic, payload: json(body) };
        }),
      ),
    },
    {
      weight: 30,
      arbitrary: fc
        .tuple(machine, channel, fc.nat({ max: 3 }), fc.constantFrom("Line-1", "", "a b", "ü", "x".repeat(65), "..", "ghost-machine"))
        .map(([m, c, level, odd]) =>
          msg("odd-topic", "dead-letter", (i, ts) => {
            const parts = m.split("/");
            parts[1 + level] = odd;
            return { topic: `${parts.join("/")}/${c}`, payload: json(validBody(c, ts, i)) };
          }),
        ),
    },
    {
      weight: 1,
      // sizes up to what the broker accepts: a reason of megabytes, a waveform with one sample too many
      arbitrary: fc.tuple(machine, fc.integer({ min: 1024 * 1024, max: MQTT_MAX_PACKET_BYTES - 64 * 1024 }), fc.boolean()).map(([m, size, wave]) =>
        msg("near-packet-limit", "dead-letter", (_i, ts) =>
          wave
            ? {
                topic: on(m, "waveform" as Channel),
                payload: json({
                  v: 1,
                  ts,
                  unit: "g",
                  sample_rate_hz: 10240,
                  samples: new Raw(`[${new Array(65537).fill("0.1").join(",")}]`),
                }),
              }
            : { topic: on(m, "state"), payload: json({ v: 1, ts, state: "running", reason: "r".repeat(size) }) },
        ),
      ),
    },
  );
}

/** `n` messages for a seed: deterministic, in publishing order. */
export function fuzzMessages(ctx: FuzzContext, n: number, seed: number): FuzzMessage[] {
  return fc.sample(fuzzArbitrary(ctx), { seed, numRuns: n }).map((build, i) => build(i));
}

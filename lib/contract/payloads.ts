// Versioned JSON payloads of the telemetry channels (v1). Spec with examples: docs/mqtt.md.
// Parsed once where they enter (the ingest worker); inside Andon only the parsed types travel.
import { z } from "zod";
import { STATE_CODES } from "#lib/domain/oee/mapping.ts";
import { eventTimestamp } from "./common.ts";
import { fastTelemetry } from "./payloads-fast.ts";
import { bounded, preview } from "./preview.ts";
import { type EpochMicros, parseTimestamp } from "./timestamp.ts";
import type { TelemetryChannel } from "./topics.ts";

export { type EpochMicros, parseTimestamp };

const ts = eventTimestamp;

const version = z.literal(1, { error: (i) => `unsupported payload version ${preview(i.input)} (this is v1)` });
const nonNegInt = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const finite = z.number().refine(Number.isFinite, "must be a finite number");
/** A finite number in [min, max]. */
const within = (min: number, max: number) => finite.pipe(z.number().min(min).max(max));
const sensor = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "sensor must be 1-64 of a-z 0-9 _ -")
  .default("main");

/** Named machine states and their numeric codes (the United Manufacturing Hub's table); docs/mqtt.md lists them. */
export { STATE_CODES };
export type MachineStateName = keyof typeof STATE_CODES;
const STATE_NAMES = Object.keys(STATE_CODES) as [MachineStateName, ...MachineStateName[]];

export const stateCategory = (code: number): number => Math.floor(code / 10000) * 10000;

export const StatePayload = z
  .object({
    v: version,
    ts,
    state: z.enum(STATE_NAMES, { error: (i) => `unknown state ${preview(i.input)}` }).optional(),
    code: nonNegInt.max(2_147_483_647).optional(),
    reason: z.string().min(1).max(200).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.state === undefined && p.code === undefined) {
      ctx.addIssue({ code: "custom", message: "a state message needs `state` (a name) or `code` (a number)" });
    } else if (p.state !== undefined && p.code !== undefined && stateCategory(STATE_CODES[p.state]) !== stateCategory(p.code)) {
      ctx.addIssue({ code: "custom", message: `code ${p.code} is not in the category of state "${p.state}" (${STATE_CODES[p.state]})` });
    }
  });

export const CountsPayload = z
  .object({
    v: version,
    ts,
    mode: z.enum(["cumulative", "delta"], { error: () => "mode must be cumulative or delta" }),
    total: nonNegInt,
    reject: nonNegInt.default(0),
    /** Cumulative mode: the counter's largest value before it rolls over to 0 (e.g. 65535, 4294967295). */
    counter_max: nonNegInt.optional(),
  })
  .superRefine((p, ctx) => {
    if (p.mode === "delta" && p.reject > p.total) {
      ctx.addIssue({ code: "custom", message: `reject (${p.reject}) cannot exceed total (${p.total}) in a delta` });
    }
    if (p.mode === "delta" && p.counter_max !== undefined) {
      ctx.addIssue({ code: "custom", message: "counter_max only applies to cumulative counters" });
    }
    if (p.counter_max !== undefined && (p.total > p.counter_max || p.reject > p.counter_max)) {
      ctx.addIssue({ code: "custom", message: `counter value above counter_max ${p.counter_max}` });
    }
  });

// Generous physical bounds (docs/mqtt.md): beyond them a value is a unit or device fault, and would
// poison the baselines of the vibration detectors.
const feature = (max: number) => within(0, max).optional();
export const VIBRATION_FEATURES = ["velocity_rms_mm_s", "accel_rms_g", "accel_peak_g", "crest_factor", "kurtosis", "temperature_c", "speed_rpm"] as const;

export const VibrationPayload = z
  .object({
    v: version,
    ts,
    sensor,
    velocity_rms_mm_s: feature(10_000),
    accel_rms_g: feature(100_000),
    accel_peak_g: feature(100_000),
    crest_factor: feature(10_000),
    kurtosis: feature(1_000_000),
    temperature_c: within(-273.15, 5_000).optional(),
    speed_rpm: feature(1_000_000),
  })
  .refine((p) => VIBRATION_FEATURES.some((f) => p[f] !== undefined), {
    message: `a vibration message needs at least one feature (${VIBRATION_FEATURES.join(", ")})`,
  })
  // a signal's peak is never below its RMS: a message saying so has its fields swapped or in other units
  .refine((p) => p.accel_peak_g === undefined || p.accel_rms_g === undefined || p.accel_peak_g >= p.accel_rms_g * (1 - 1e-9), {
    message: "accel_peak_g is below accel_rms_g (a peak is never below the RMS of the same signal)",
  });

export const WaveformPayload = z.object({
  v: version,
  ts,
  sensor,
  sample_rate_hz: finite.pipe(z.number().positive().max(1_000_000)),
  unit: z.enum(["g", "m_s2", "mm_s"], { error: () => "unit must be g, m_s2 or mm_s" }),
  speed_rpm: feature(1_000_000),
  samples: z.array(within(-1e9, 1e9)).min(16, "at least 16 samples").max(65536, "at most 65536 samples"),
});

export const MetricsPayload = z.object({
  v: version,
  ts,
  metrics: z
    .array(
      z.object({
        name: z.string().regex(/^[a-z][a-z0-9_.]{0,99}$/, "metric name must be lower-case a-z 0-9 _ . (1-100)"),
        value: within(-1e300, 1e300),
        unit: z.string().min(1).max(32).optional(),
      }),
    )
    .min(1, "at least one metric")
    .max(200, "at most 200 metrics per message")
    .refine((ms) => new Set(ms.map((m) => m.name)).size === ms.length, "metric names must be unique in a message"),
});

export const PAYLOADS = {
  state: StatePayload,
  counts: CountsPayload,
  vibration: VibrationPayload,
  waveform: WaveformPayload,
  metrics: MetricsPayload,
} as const satisfies Record<TelemetryChannel, z.ZodType>;

export type StateMsg = z.output<typeof StatePayload>;
export type CountsMsg = z.output<typeof CountsPayload>;
export type VibrationMsg = z.output<typeof VibrationPayload>;
export type WaveformMsg = z.output<typeof WaveformPayload>;
export type MetricsMsg = z.output<typeof MetricsPayload>;

export type Telemetry =
  | { channel: "state"; msg: StateMsg }
  | { channel: "counts"; msg: CountsMsg }
  | { channel: "vibration"; msg: VibrationMsg }
  | { channel: "waveform"; msg: WaveformMsg }
  | { channel: "metrics"; msg: MetricsMsg };

export type PayloadParse = { ok: true; value: Telemetry } | { ok: false; reason: string };

/** Parses raw bytes of one channel. Never throws; the reason names the field at fault. */
export function parsePayload(channel: TelemetryChannel, raw: Uint8Array): PayloadParse {
  let json: unknown;
  try {
    // a view, not a copy (Buffer.from(raw) copied every payload)
    json = JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("utf8"));
  } catch (e) {
    return { ok: false, reason: `invalid JSON: ${bounded((e as Error).message, 200)}` };
  }
  return validateTelemetry(channel, json);
}

/** Validates a parsed JSON value as a message of one channel (what parsePayload does after JSON.parse). Never throws. */
export function validateTelemetry(channel: TelemetryChannel, json: unknown): PayloadParse {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return { ok: false, reason: "payload must be a JSON object" };
  }
  // the common case without zod (payloads-fast.ts accepts only what the schema accepts); the schema explains the rest
  const fast = fastTelemetry(channel, json);
  if (fast) return { ok: true, value: fast };
  const r = PAYLOADS[channel].safeParse(json);
  if (!r.success) {
    const first = r.error.issues
      .slice(0, 3)
      .map((i) => bounded(i.path.length ? `${i.path.slice(0, 8).join(".")}: ${i.message}` : i.message, 300))
      .join("; ");
    return { ok: false, reason: `invalid ${channel} payload: ${first}` };
  }
  return { ok: true, value: { channel, msg: r.data } as Telemetry };
}

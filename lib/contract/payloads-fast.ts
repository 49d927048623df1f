// The ingest hot path's check of a telemetry payload, written out by hand: the zod schemas in
// payloads.ts stay the contract and the source of every error message. This accepts only what they
// accept and returns what they return (test/unit/payloads-fast.test.ts checks both on generated
// payloads); anything it is not sure of (an error, an unusual shape) returns undefined, and the
// caller asks the schema, which then names the fault. About a third of the worker's mapping time was
// zod's (docs/benchmarks.md, issue 16).
import { STATE_CODES } from "#lib/domain/oee/mapping.ts";
import type { CountsMsg, MetricsMsg, StateMsg, Telemetry, VibrationMsg, WaveformMsg } from "./payloads.ts";
import { parseTimestamp } from "./timestamp.ts";
import type { TelemetryChannel } from "./topics.ts";

type Obj = Record<string, unknown>;

const SENSOR = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const METRIC = /^[a-z][a-z0-9_.]{0,99}$/;
const stateCategory = (code: number): number => Math.floor(code / 10000) * 10000;

/** A finite number in [min, max] (zod's `within`), or undefined. */
const within = (v: unknown, min: number, max: number): v is number => typeof v === "number" && Number.isFinite(v) && v >= min && v <= max;
/** A safe integer in [0, max] (zod's `nonNegInt`). */
const count = (v: unknown, max = Number.MAX_SAFE_INTEGER): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0 && v <= max;
const optional = (v: unknown, ok: (v: unknown) => boolean): boolean => v === undefined || ok(v);

/** The validated message of one channel, or undefined when the schema must decide (and explain). */
export function fastTelemetry(channel: TelemetryChannel, json: unknown): Telemetry | undefined {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined;
  const p = json as Obj;
  if (p.v !== 1) return undefined;
  const ts = parseTimestamp(p.ts);
  if (typeof ts === "string") return undefined;
  if (!Object.hasOwn(CHECKS, channel)) return undefined;
  const msg = (CHECKS[channel] as (p: Obj, ts: number) => Telemetry["msg"] | undefined)(p, ts);
  return msg && ({ channel, msg } as Telemetry);
}

function state(p: Obj, ts: number): StateMsg | undefined {
  const { state: name, code, reason } = p;
  if (name !== undefined && !(typeof name === "string" && Object.hasOwn(STATE_CODES, name))) return undefined;
  if (!optional(code, (c) => count(c, 2_147_483_647))) return undefined;
  if (!optional(reason, (r) => typeof r === "string" && r.length >= 1 && r.length <= 200)) return undefined;
  if (name === undefined && code === undefined) return undefined;
  const named = name as keyof typeof STATE_CODES | undefined;
  if (named !== undefined && code !== undefined && stateCategory(STATE_CODES[named]) !== stateCategory(code as number)) return undefined;
  const msg: StateMsg = { v: 1, ts } as StateMsg;
  if (named !== undefined) msg.state = named;
  if (code !== undefined) msg.code = code as number;
  if (reason !== undefined) msg.reason = reason as string;
  return msg;
}

function counts(p: Obj, ts: number): CountsMsg | undefined {
  const { mode, total, counter_max } = p;
  const reject = p.reject === undefined ? 0 : p.reject;
  if (mode !== "cumulative" && mode !== "delta") return undefined;
  if (!count(total) || !count(reject) || !optional(counter_max, count)) return undefined;
  if (mode === "delta" && (reject > total || counter_max !== undefined)) return undefined;
  if (counter_max !== undefined && (total > (counter_max as number) || reject > (counter_max as number))) return undefined;
  const msg = { v: 1, ts, mode, total, reject } as CountsMsg;
  if (counter_max !== undefined) msg.counter_max = counter_max as number;
  return msg;
}

const FEATURE_MAX = {
  velocity_rms_mm_s: 10_000,
  accel_rms_g: 100_000,
  accel_peak_g: 100_000,
  crest_factor: 10_000,
  kurtosis: 1_000_000,
  temperature_c: 5_000,
  speed_rpm: 1_000_000,
} as const;
const FEATURES = Object.keys(FEATURE_MAX) as (keyof typeof FEATURE_MAX)[];

function sensorOf(p: Obj): string | undefined {
  const s = p.sensor === undefined ? "main" : p.sensor;
  return typeof s === "string" && SENSOR.test(s) ? s : undefined;
}

function vibration(p: Obj, ts: number): VibrationMsg | undefined {
  const sensor = sensorOf(p);
  if (sensor === undefined) return undefined;
  const msg = { v: 1, ts, sensor } as VibrationMsg;
  let any = false;
  for (const f of FEATURES) {
    const x = p[f];
    if (x === undefined) continue;
    if (!within(x, f === "temperature_c" ? -273.15 : 0, FEATURE_MAX[f])) return undefined;
    msg[f] = x;
    any = true;
  }
  if (!any) return undefined;
  if (msg.accel_peak_g !== undefined && msg.accel_rms_g !== undefined && !(msg.accel_peak_g >= msg.accel_rms_g * (1 - 1e-9))) return undefined;
  return msg;
}

function waveform(p: Obj, ts: number): WaveformMsg | undefined {
  const sensor = sensorOf(p);
  const { sample_rate_hz: rate, unit, speed_rpm: speed, samples } = p;
  if (sensor === undefined || !within(rate, 0, 1_000_000) || rate <= 0) return undefined;
  if (unit !== "g" && unit !== "m_s2" && unit !== "mm_s") return undefined;
  if (!optional(speed, (s) => within(s, 0, 1_000_000))) return undefined;
  if (!Array.isArray(samples) || samples.length < 16 || samples.length > 65536) return undefined;
  for (let i = 0; i < samples.length; i++) if (!within(samples[i], -1e9, 1e9)) return undefined;
  // the parsed array itself (the worker's own, fresh from JSON.parse): up to 65,536 numbers not copied
  const msg = { v: 1, ts, sensor, sample_rate_hz: rate, unit, samples: samples as number[] } as WaveformMsg;
  if (speed !== undefined) msg.speed_rpm = speed as number;
  return msg;
}

function metrics(p: Obj, ts: number): MetricsMsg | undefined {
  const list = p.metrics;
  if (!Array.isArray(list) || list.length < 1 || list.length > 200) return undefined;
  const out: MetricsMsg["metrics"] = [];
  const names = new Set<string>();
  for (const m of list) {
    if (typeof m !== "object" || m === null || Array.isArray(m)) return undefined;
    const { name, value, unit } = m as Obj;
    if (typeof name !== "string" || !METRIC.test(name) || names.has(name)) return undefined;
    if (!within(value, -1e300, 1e300)) return undefined;
    if (!optional(unit, (u) => typeof u === "string" && u.length >= 1 && u.length <= 32)) return undefined;
    names.add(name);
    out.push(unit === undefined ? { name, value } : { name, value, unit: unit as string });
  }
  return { v: 1, ts, metrics: out } as MetricsMsg;
}

const CHECKS: { [C in Telemetry["channel"]]: (p: Obj, ts: number) => Extract<Telemetry, { channel: C }>["msg"] | undefined } = {
  state,
  counts,
  vibration,
  waveform,
  metrics,
};

// The multivariate detector (multivariate.ts, T² + SPE) for one live machine's vibration messages.
// Pure and deterministic, no look-ahead; its state is plain JSON (the scans keep it in Redis).
//
// - Rows: the machine's running samples in fixed 2-minute buckets, each bucket reduced to the median
//   of every feature and the speed, so a machine sending a message a second and the history's message every two
//   minutes give the detector the same cadence, and a one-sample glitch never reaches it. A stopped
//   machine's samples are neither learned nor scored.
// - v2 (the default): the running median is taken of each bucket with its own speed taken out (below),
//   so a speed change inside the median's window cannot pair one bucket's vibration with another's speed.
// - Features: log velocity RMS, log acceleration RMS, crest factor, kurtosis, each with its linear
//   dependence on the log of the speed (a fraction of nominal) taken out, as fitted on the training
//   rows: vibration rises with speed (a changeover or a slow-down changes it), a bearing fault raises
//   it at the same speed; the model sees what speed does not explain. A running median of three
//   buckets keeps a one-bucket glitch (a knock) out. The temperature is left out: on a healthy machine it follows the hall and the warm-up after every
//   stop far more than any bearing (docs/predictive-maintenance.md, "Live detection and run-to-failure").
// - Learning: the first `trainRows` running buckets (8 h of running), then the model is fixed.
// - Alert: T2QDetector's persistence and hysteresis; each alert names the features that contribute
//   most, with their values against the model's baseline.
import { type Foundation, type VibrationGroup, zoneOf } from "#lib/domain/vibration/iso10816.ts";
import type { AlertSignal } from "./alert-rules.ts";
import { SUGGESTED_ACTIONS } from "./alert-rules.ts";
import type { MessageFeature } from "./features.ts";
import { fitT2Q, T2Q_V1, type T2QParams } from "./multivariate.ts";
import { T2QDetector, type T2QSnapshot, topContributors } from "./multivariate-stream.ts";

/** The live detector's parameters: T2Q's, and what its running median is taken of once the model is fitted. */
export interface LiveParams extends T2QParams {
  /**
   * "raw": the last buckets' feature and speed medians, column by column, then the speed taken out
   * (v1: across a speed change the columns' medians can come from different buckets, e.g. the
   * acceleration of a bucket at full speed beside the speed of two slow ones: a false alert);
   * "residual": each bucket with its own speed taken out, then the median (v2).
   */
  medianOf: "raw" | "residual";
}

/**
 * T2Q_V1 (SKAB) with the training set at 240 buckets of 2 minutes (8 hours of running) and one-sided:
 * every feature here rises with a bearing fault, and a machine vibrating less than when it was
 * learned (after a repair, or learned while cold) is no fault.
 */
export const T2Q_LIVE_V1: LiveParams = Object.freeze({ ...T2Q_V1, version: "t2q-live@v1", trainRows: 240, direction: "up", medianOf: "raw" });
/**
 * v1 scoring the running median of speed-normalised buckets (the default since 2026-12-06). Its
 * training is v1's, so a machine's v1 state is taken over as it is (no relearning after the upgrade).
 */
export const T2Q_LIVE_V2: LiveParams = Object.freeze({ ...T2Q_LIVE_V1, version: "t2q-live@v2", medianOf: "residual" });
/** The versions whose learned state another version takes over (same training, same model). */
const TAKES_OVER: Readonly<Record<string, string>> = { "t2q-live@v2": "t2q-live@v1" };
export const BUCKET_MS = 2 * 60_000;

/** The model's features, in order (log: velocity and acceleration, whose speed dependence is a power law). */
export const LIVE_SENSORS = ["velocity_rms_mm_s", "accel_rms_g", "crest_factor", "kurtosis"] as const;
export type LiveSensor = (typeof LIVE_SENSORS)[number];
const LOG: Record<LiveSensor, boolean> = { velocity_rms_mm_s: true, accel_rms_g: true, crest_factor: false, kurtosis: false };
/** a bucket's value is the median of the last this many buckets' medians: one glitching bucket never reaches the model */
const RUNNING_MEDIAN = 3;

export interface LiveSample {
  ts: number;
  values: Partial<Record<MessageFeature, number>>;
  /** the shaft speed (rpm) the message carried */
  speedRpm?: number;
}

/** A bucket's medians: the features in LIVE_SENSORS order (raw units), then the speed as a fraction of nominal (NaN: unknown). */
type Raw = number[];

export interface LiveMultivariateState {
  version: string;
  /** the open bucket: its start and its running samples (Raw) */
  bucket?: { start: number; rows: Raw[] };
  /** the last closed buckets' medians (the running median's window) */
  recent: Raw[];
  /** training rows (model units: features then log speed), until the model is fitted */
  train: number[][];
  /** per feature, its slope on log speed (model units), fitted with the model */
  slope?: number[];
  /** the mean log speed of the training rows (stands in for an unknown speed) */
  speedMean?: number;
  detector?: T2QSnapshot;
  /** the latest scored bucket: its values (Raw), score, threshold and the features' contributions */
  last?: { ts: number; raw: Raw; score: number; threshold: number; contributions: Record<string, number> };
  buckets: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? (s[(n - 1) / 2] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
};

const columnMedians = (rows: readonly Raw[], width: number): Raw =>
  Array.from({ length: width }, (_, j) => {
    const xs = rows.map((r) => r[j] as number).filter(Number.isFinite);
    return xs.length ? median(xs) : Number.NaN;
  });

/** Raw → model units: log velocity and acceleration, crest and kurtosis as they are, then log speed. */
const toModel = (raw: Raw): number[] => [
  ...LIVE_SENSORS.map((s, j) => {
    const x = raw[j] as number;
    return Number.isFinite(x) && LOG[s] ? Math.log(Math.max(x, 1e-6)) : x;
  }),
  Number.isFinite(raw[LIVE_SENSORS.length] as number) ? Math.log(Math.max(raw[LIVE_SENSORS.length] as number, 1e-3)) : Number.NaN,
];
const fromModel = (s: LiveSensor, x: number): number => (LOG[s] ? Math.exp(x) : x);

/** Least squares slope of each feature on log speed (0 where the speed hardly varied or is unknown). */
function fitSlopes(rows: readonly number[][]): { slope: number[]; speedMean: number } {
  const p = LIVE_SENSORS.length;
  const ok = rows.filter((r) => Number.isFinite(r[p] as number));
  const xs = ok.map((r) => r[p] as number);
  const speedMean = xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
  const sxx = xs.reduce((a, x) => a + (x - speedMean) ** 2, 0);
  const slope = LIVE_SENSORS.map((_, j) => {
    // a spread of the log speed below 2 % is no information about the slope
    if (xs.length < 10 || sxx / xs.length < 0.02 ** 2) return 0;
    const ys = ok.map((r) => r[j] as number);
    const fine = ys.every(Number.isFinite);
    if (!fine) return 0;
    const ym = ys.reduce((a, b) => a + b, 0) / ys.length;
    return xs.reduce((a, x, i) => a + (x - speedMean) * ((ys[i] as number) - ym), 0) / sxx;
  });
  return { slope, speedMean };
}

export class LiveMultivariate {
  readonly params: LiveParams;
  #s: LiveMultivariateState;
  #detector: T2QDetector | undefined;

  constructor(params: LiveParams = T2Q_LIVE_V2, saved?: LiveMultivariateState) {
    this.params = params;
    const state = saved && TAKES_OVER[params.version] === saved.version ? takeOver(saved, params.version) : saved;
    const same = state?.version === params.version;
    this.#s = same && state ? state : { version: params.version, recent: [], train: [], buckets: 0 };
    this.#detector = same && state?.detector ? T2QDetector.restore(state.detector, params) : undefined;
  }

  get alert(): boolean {
    return this.#detector?.alert ?? false;
  }

  get ready(): boolean {
    return this.#detector !== undefined;
  }

  get last(): LiveMultivariateState["last"] {
    return this.#s.last;
  }

  snapshot(): LiveMultivariateState {
    const { detector: _, ...rest } = this.#s;
    return { ...rest, ...(this.#detector ? { detector: this.#detector.snapshot() } : {}) };
  }

  /**
   * One message, in time order. `nominalRpm`: the machine's nominal speed (the speed enters as a
   * fraction of it). Returns "open" or "clear" when a bucket closes with an alert opening or clearing.
   */
  update(s: LiveSample, running: boolean, nominalRpm: number | undefined): "open" | "clear" | undefined {
    const start = Math.floor(s.ts / BUCKET_MS) * BUCKET_MS;
    let event: "open" | "clear" | undefined;
    if (this.#s.bucket && this.#s.bucket.start !== start) event = this.#close();
    if (!running) return event;
    const speed = s.speedRpm !== undefined && s.speedRpm > 0 && nominalRpm ? s.speedRpm / nominalRpm : Number.NaN;
    const row = [...LIVE_SENSORS.map((f) => s.values[f] ?? Number.NaN), speed];
    this.#s.bucket ??= { start, rows: [] };
    this.#s.bucket.rows.push(row);
    return event;
  }

  #close(): "open" | "clear" | undefined {
    const b = this.#s.bucket;
    delete this.#s.bucket;
    if (!b || b.rows.length === 0) return undefined;
    const width = LIVE_SENSORS.length + 1;
    this.#s.recent.push(columnMedians(b.rows, width));
    if (this.#s.recent.length > RUNNING_MEDIAN) this.#s.recent.shift();
    const raw = columnMedians(this.#s.recent, width);
    this.#s.buckets++;
    const x = toModel(raw);
    if (!this.#detector) {
      this.#s.train.push(x);
      if (this.#s.train.length < this.params.trainRows) return undefined;
      const { slope, speedMean } = fitSlopes(this.#s.train);
      this.#s.slope = slope;
      this.#s.speedMean = speedMean;
      const rows = this.#s.train.map((r) => this.#residual(r));
      this.#detector = new T2QDetector(LIVE_SENSORS, this.params, fitT2Q(rows, LIVE_SENSORS, this.params));
      this.#s.train = [];
      return undefined;
    }
    const u = this.#detector.update(
      this.params.medianOf === "residual"
        ? columnMedians(
            this.#s.recent.map((r) => this.#residual(toModel(r))),
            LIVE_SENSORS.length,
          )
        : this.#residual(x),
    );
    this.#s.last = { ts: b.start + BUCKET_MS, raw, score: u.score, threshold: u.threshold, contributions: u.contributions };
    return u.event;
  }

  /** The features with the speed's part taken out (model units); an unknown speed counts as the training mean. */
  #residual(x: readonly number[]): number[] {
    const p = LIVE_SENSORS.length;
    const sx = Number.isFinite(x[p] as number) ? (x[p] as number) : (this.#s.speedMean ?? 0);
    return LIVE_SENSORS.map((_, j) => (x[j] as number) - (this.#s.slope?.[j] ?? 0) * (sx - (this.#s.speedMean ?? 0)));
  }

  /** What a feature would be on the learned healthy machine at this speed (fraction of nominal), in its own units. */
  baseline(s: LiveSensor, speed?: number): number | undefined {
    const m = this.#detector?.model;
    const j = LIVE_SENSORS.indexOf(s);
    if (!m || j < 0) return undefined;
    const dx = speed !== undefined && Number.isFinite(speed) ? Math.log(Math.max(speed, 1e-3)) - (this.#s.speedMean ?? 0) : 0;
    return fromModel(s, (m.mean[j] as number) + (this.#s.slope?.[j] ?? 0) * dx);
  }
}

/** A state learned by an earlier version with the same training, relabelled as `version`'s. */
function takeOver(saved: LiveMultivariateState, version: string): LiveMultivariateState {
  return { ...saved, version, ...(saved.detector ? { detector: { ...saved.detector, version } } : {}) };
}

const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3));
const label: Record<LiveSensor, string> = {
  velocity_rms_mm_s: "velocity_rms_mm_s",
  accel_rms_g: "accel_rms_g",
  crest_factor: "crest_factor",
  kurtosis: "kurtosis",
};

/**
 * The drift warning of a machine whose multivariate detector holds an alert: the feature that
 * contributes most (speed aside: a speed is a context, not a fault) with its value against the
 * baseline, the contributing features, the velocity's ISO zone, the suggested action.
 */
export function multivariateSignal(
  machineKey: string,
  m: { vibrationGroup: VibrationGroup; foundation: Foundation },
  d: LiveMultivariate,
  at: number,
): AlertSignal | undefined {
  const last = d.last;
  if (!d.alert || !last) return undefined;
  const top = topContributors(last.contributions, LIVE_SENSORS.length);
  const feature = (top[0]?.sensor ?? "velocity_rms_mm_s") as LiveSensor;
  const speed = last.raw[LIVE_SENSORS.length] as number;
  const value = last.raw[LIVE_SENSORS.indexOf(feature)] as number;
  const baseline = d.baseline(feature, speed);
  const parts = top
    .filter((t) => t.share >= 0.05)
    .map((t) => {
      const s = t.sensor as LiveSensor;
      const v = last.raw[LIVE_SENSORS.indexOf(s)] as number;
      const b = d.baseline(s, speed);
      return `${label[s]} ${fmt(v)}${b !== undefined ? ` against ${fmt(b)}` : ""} (${Math.round(100 * t.share)} %)`;
    });
  const velocity = last.raw[0] as number;
  const zone = Number.isFinite(velocity) ? zoneOf(velocity, m.vibrationGroup, m.foundation) : undefined;
  return {
    machineKey,
    feature,
    cause: "drift:multivariate",
    severity: "WARNING",
    value,
    ...(baseline !== undefined ? { baseline } : {}),
    ...(zone ? { zone } : {}),
    explanation: `vibration off its learned running pattern${Number.isFinite(speed) ? ` at ${Math.round(100 * speed)} % speed` : ""} (T²+SPE ${last.score.toFixed(1)}, threshold ${last.threshold.toFixed(1)}; learned over the first ${(d.params.trainRows * BUCKET_MS) / 3_600_000} h of running): ${parts.join(", ")}${zone ? `; velocity in ISO 10816-3 zone ${zone}` : ""}`,
    suggestedAction: SUGGESTED_ACTIONS[feature],
    detectorVersion: d.params.version,
    at,
  };
}

// The multivariate detector streaming (lib/domain/pdm/multivariate.ts fits and scores): one machine's
// or run's rows one at a time — the first rows train the model, later ones are scored with causal
// smoothing and hysteresis — with a JSON snapshot to continue after a restart. Pure.
import { fitT2Q, scoreT2Q, T2Q_V1, type T2QModel, type T2QParams } from "./multivariate.ts";

export interface T2QUpdate {
  /** false while the training rows are being collected (no score, no alert) */
  ready: boolean;
  /** the score of the smoothed row (units: the training inliers' median) */
  score: number;
  threshold: number;
  alert: boolean;
  event?: "open" | "clear";
  /** per sensor, its part of the score (they sum to it): what the alert is about */
  contributions: Record<string, number>;
}

/** Everything a detector needs to continue after a restart (plain data: JSON-serializable while the model is finite). */
export interface T2QSnapshot {
  version: string;
  sensors: string[];
  /** the training rows collected so far, while there is no model yet */
  buffer: number[][];
  model?: T2QModel;
  smoothed?: number[];
  alert: boolean;
  above: number;
  below: number;
}

/**
 * Streams the rows of one machine: the first `trainRows` train the model (fitted when the last of
 * them arrives), every later row is scored. Give it a fitted model to skip the training. A value
 * that is not a finite number leaves that sensor's smoothed value as it was.
 */
export class T2QDetector {
  readonly params: T2QParams;
  readonly sensors: readonly string[];
  model: T2QModel | undefined;
  alert = false;
  private readonly buffer: number[][] = [];
  private smoothed: number[] | undefined;
  private above = 0;
  private below = 0;

  constructor(sensors: readonly string[], params: T2QParams = T2Q_V1, model?: T2QModel) {
    this.params = params;
    this.sensors = [...sensors];
    if (model) {
      this.model = model;
      this.smoothed = [...model.smoothedLast];
    }
  }

  snapshot(): T2QSnapshot {
    return {
      version: this.params.version,
      sensors: [...this.sensors],
      buffer: this.buffer.map((r) => [...r]),
      ...(this.model ? { model: this.model } : {}),
      ...(this.smoothed ? { smoothed: [...this.smoothed] } : {}),
      alert: this.alert,
      above: this.above,
      below: this.below,
    };
  }

  /** A detector that continues exactly where the snapshot's stopped (same parameters required). */
  static restore(snap: T2QSnapshot, params: T2QParams = T2Q_V1): T2QDetector {
    if (snap.version !== params.version) throw new Error(`T2QDetector.restore: snapshot of ${snap.version}, parameters ${params.version}`);
    const d = new T2QDetector(snap.sensors, params, snap.model);
    d.buffer.push(...snap.buffer.map((r) => [...r]));
    if (snap.smoothed) d.smoothed = [...snap.smoothed];
    d.alert = snap.alert;
    d.above = snap.above;
    d.below = snap.below;
    return d;
  }

  /** with direction "up": whether sensors above their mean carry more than half of the positive contributions */
  #rising(contributions: readonly number[]): boolean {
    if (this.params.direction !== "up" || !this.model || !this.smoothed) return true;
    let up = 0;
    let all = 0;
    for (let j = 0; j < contributions.length; j++) {
      const c = Math.max(0, contributions[j] as number);
      all += c;
      if ((this.smoothed[j] as number) > (this.model.mean[j] as number)) up += c;
    }
    return up > 0.5 * all;
  }

  update(row: readonly number[]): T2QUpdate {
    const named = (xs: readonly number[]) => Object.fromEntries(this.sensors.map((s, j) => [s, xs[j] ?? 0]));
    if (!this.model) {
      const last = this.buffer[this.buffer.length - 1];
      this.buffer.push(row.map((x, j) => (Number.isFinite(x) ? x : (last?.[j] ?? 0))));
      if (this.buffer.length >= this.params.trainRows) {
        this.model = fitT2Q(this.buffer, this.sensors, this.params);
        this.smoothed = [...this.model.smoothedLast];
        this.buffer.length = 0;
      }
      return { ready: false, score: 0, threshold: Number.NaN, alert: false, contributions: named([]) };
    }
    const w = this.params.smoothing;
    const prev = this.smoothed ?? [...row];
    this.smoothed = prev.map((v, j) => {
      const x = row[j] as number;
      return Number.isFinite(x) ? w * x + (1 - w) * v : v;
    });
    const s = scoreT2Q(this.model, this.smoothed);
    const thr = this.model.threshold;
    let event: "open" | "clear" | undefined;
    if (!this.alert) {
      this.above = s.score > thr && this.#rising(s.contributions) ? this.above + 1 : 0;
      if (this.above >= this.params.persist) {
        this.alert = true;
        this.below = 0;
        event = "open";
      }
    } else {
      this.below = s.score < this.params.clearFraction * thr ? this.below + 1 : 0;
      if (this.below >= this.params.clearAfter) {
        this.alert = false;
        this.above = 0;
        event = "clear";
      }
    }
    return { ready: true, score: s.score, threshold: thr, alert: this.alert, ...(event ? { event } : {}), contributions: named(s.contributions) };
  }
}

/** The sensors ranked by contribution, largest first, as shares of the positive total. */
export function topContributors(contributions: Record<string, number>, n = 3): { sensor: string; share: number }[] {
  const pos = Object.entries(contributions).map(([sensor, c]) => ({ sensor, c: Math.max(0, c) }));
  const total = pos.reduce((a, e) => a + e.c, 0) || 1;
  return pos
    .sort((a, b) => b.c - a.c || a.sensor.localeCompare(b.sensor))
    .slice(0, n)
    .map((e) => ({ sensor: e.sensor, share: e.c / total }));
}

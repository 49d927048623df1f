// A streaming detector for one series in the spirit of adaptive resonance theory (fuzzy ART;
// Carpenter, Grossberg & Rosen 1991; its use on NAB: ARTime, Hampton 2022). Our own code from the
// published ideas. Pure (no I/O) and deterministic; causal: the score of sample t uses samples ≤ t.
// docs/predictive-maintenance.md ("NAB: the resonance detector") explains it and how its parameters
// were chosen.
//
// - Feature: the means of the last `window` blocks of `ds` samples each (ds chosen from the
//   learning length, so every series is seen at about the same number of blocks per learning
//   period), normalised by the range of the values seen so far: a point in [0, 1]^window.
// - Categories: hyper-boxes (fuzzy ART with complement coding and fast learning). The match of a
//   feature with a box is 1 − the mean side of the box grown to hold it; a feature resonates with a
//   box when that match reaches the vigilance; it then grows the box, otherwise it founds a box.
// - Novelty: vigilance − the best match (0 when a box resonates), calibrated on its own earlier
//   values (a forgetting tail probability, as the novelty detector's), with the level term (how far
//   the value leaves the range seen so far) and the rest of novelty-rest.ts.

import type { NoveltyAlertParams } from "./novelty.ts";
import { Tail } from "./novelty-memory.ts";
import { Rest } from "./novelty-rest.ts";

export interface ResonanceParams {
  version: string;
  /** Blocks per learning period: ds = max(1, round(learn / blocksPerLearn)). */
  blocksPerLearn: number;
  /** Block means in the feature. */
  window: number;
  /** Vigilances: a box resonates at a match ≥ each (one memory per vigilance, log tails averaged). */
  vigilances: readonly number[];
  /** Most boxes kept per memory (the least recently resonating one is dropped first). */
  maxBoxes: number;
  /** Also score how far the value leaves the range seen so far. */
  level: boolean;
  gain: number;
  memory: number;
  logScale: number;
  restFraction: number;
  restMargin: number;
  restDamp: number;
  outputExponent: number;
}

export const RESONANCE_V1: ResonanceParams = Object.freeze({
  version: "resonance@v1",
  blocksPerLearn: 64,
  window: 4,
  vigilances: [0.93, 0.95, 0.97],
  maxBoxes: 2000,
  level: true,
  gain: 3,
  memory: 4000,
  logScale: 8,
  restFraction: 0.5,
  restMargin: 0.1,
  restDamp: 0.3,
  outputExponent: 0.375,
});

/**
 * The production alert (NoveltyAlert) for v1: opens at NAB's optimiser's standard threshold for v1 on
 * the even-indexed files (0.500); clears after 20 samples below 0.45 (novelty@v2's gap and hold).
 */
export const RESONANCE_ALERT_V1: NoveltyAlertParams = Object.freeze({ open: 0.5, clear: 0.45, clearAfter: 20 });

/** Hyper-boxes in [0, 1]^dim, as flat arrays of lower and upper corners. */
class Boxes {
  lo: Float64Array;
  hi: Float64Array;
  used: Float64Array;
  size = 0;
  constructor(
    private readonly dim: number,
    private readonly max: number,
  ) {
    this.lo = new Float64Array(dim * 64);
    this.hi = new Float64Array(dim * 64);
    this.used = new Float64Array(64);
  }

  /** The best match (1 − mean side of the grown box) and its box, −1 when there is none. */
  best(x: Float64Array): { match: number; at: number } {
    const d = this.dim;
    let best = -1;
    let at = -1;
    for (let j = 0; j < this.size; j++) {
      const o = j * d;
      let grown = 0;
      for (let i = 0; i < d; i++) {
        const v = x[i] as number;
        const l = this.lo[o + i] as number;
        const h = this.hi[o + i] as number;
        grown += Math.max(v, h) - Math.min(v, l);
      }
      const m = 1 - grown / d;
      if (m > best) {
        best = m;
        at = j;
      }
    }
    return { match: best, at };
  }

  grow(j: number, x: Float64Array, t: number): void {
    const o = j * this.dim;
    for (let i = 0; i < this.dim; i++) {
      const v = x[i] as number;
      if (v < (this.lo[o + i] as number)) this.lo[o + i] = v;
      if (v > (this.hi[o + i] as number)) this.hi[o + i] = v;
    }
    this.used[j] = t;
  }

  add(x: Float64Array, t: number): void {
    let j = this.size;
    if (this.size >= this.max) {
      j = 0;
      for (let k = 1; k < this.size; k++) if ((this.used[k] as number) < (this.used[j] as number)) j = k;
    } else {
      if ((this.size + 1) * this.dim > this.lo.length) {
        const lo = new Float64Array(this.lo.length * 2);
        const hi = new Float64Array(this.hi.length * 2);
        const used = new Float64Array(this.used.length * 2);
        lo.set(this.lo);
        hi.set(this.hi);
        used.set(this.used);
        this.lo = lo;
        this.hi = hi;
        this.used = used;
      }
      this.size++;
    }
    this.lo.set(x, j * this.dim);
    this.hi.set(x, j * this.dim);
    this.used[j] = t;
  }
}

export class ResonanceDetector {
  readonly ds: number;
  private readonly span: number;
  private readonly ring: Float64Array;
  private readonly feature: Float64Array;
  private readonly memories: Boxes[];
  private readonly tails: Tail[];
  private readonly rest: Rest;
  private t = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;

  /** `learn`: samples learned before anything is scored (on NAB its probation). */
  constructor(
    readonly params: ResonanceParams = RESONANCE_V1,
    readonly learn = 750,
  ) {
    this.ds = Math.max(1, Math.round(learn / params.blocksPerLearn));
    this.span = this.ds * params.window;
    this.ring = new Float64Array(this.span);
    this.feature = new Float64Array(params.window);
    this.memories = params.vigilances.map(() => new Boxes(params.window, params.maxBoxes));
    const grow = 1 / (1 - 1 / params.memory);
    this.tails = [...params.vigilances, ...(params.level ? [0] : [])].map(() => new Tail(params.gain, grow));
    this.rest = new Rest(params, learn);
  }

  /** The anomaly score of this sample, in [0, 1]. A missing value (NaN) repeats the last one. */
  update(_ts: number, value: number): number {
    const lt = this.logTail(value);
    return lt === undefined ? 0 : this.rest.score(this.t, lt);
  }

  /** The sample's log10 tail probability before the rest, or undefined while learning. */
  logTail(value: number): number | undefined {
    const p = this.params;
    const x = Number.isFinite(value) ? value : this.t > 0 ? (this.ring[(this.t - 1) % this.span] as number) : 0;
    this.ring[this.t % this.span] = x;
    this.t++;
    const prevMin = this.min;
    const prevMax = this.max;
    this.min = Math.min(this.min, x);
    this.max = Math.max(this.max, x);
    if (this.t < this.span) return undefined;
    const range = this.max - this.min || 1;
    const f = this.feature;
    for (let b = 0; b < p.window; b++) {
      let sum = 0;
      const end = this.t - 1 - (p.window - 1 - b) * this.ds;
      for (let j = 0; j < this.ds; j++) sum += this.ring[(end - j) % this.span] as number;
      f[b] = (sum / this.ds - this.min) / range;
    }
    let ensemble = 0;
    for (const [v, rho] of p.vigilances.entries()) {
      const boxes = this.memories[v] as Boxes;
      const { match, at } = boxes.best(f);
      if (at >= 0 && match >= rho) boxes.grow(at, f, this.t);
      else boxes.add(f, this.t);
      const novelty = at < 0 ? 0 : Math.max(0, rho - match);
      ensemble += (this.tails[v] as Tail).logTail(novelty) / p.vigilances.length;
    }
    let lt = Math.min(0, ensemble);
    if (p.level) {
      const prevRange = prevMax - prevMin;
      const e = prevRange > 0 ? Math.max(0, x - prevMax, prevMin - x) / prevRange : 0;
      lt = Math.min(lt, (this.tails[p.vigilances.length] as Tail).logTail(e));
    }
    if (this.t <= this.learn) return undefined;
    return lt + Math.log10(p.level ? 2 : 1);
  }
}

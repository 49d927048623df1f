// novelty@v2 with a dwell channel: how long the value has stayed in one band of its range, against the
// longest earlier stay in that band. It answers "absence" anomalies that no context of 129 samples shows:
// a flat stretch where the signal used to pass through (NAB's art_daily_flatmiddle), a quiet or busy
// spell longer than any before. Our own code. Pure (no I/O) and deterministic; causal: the score of
// sample t uses samples ≤ t. docs/predictive-maintenance.md ("NAB: the dwell channel") explains it
// and how its parameters were chosen (the even-indexed NAB files only).
//
// - Bands: `bins` equal bands of the range seen so far (the current sample included).
// - Dwell: the samples in a row in the current band; its novelty is ln(dwell / longest earlier dwell
//   in that band) once the dwell exceeds `factor` × that longest one and is at least
//   `minFraction` × learn samples long (0 otherwise).
// - Score: that novelty calibrated to a forgetting log tail (novelty@v2's Tail), × `weight`; the
//   smaller of it and novelty@v2's log tail goes through novelty@v2's rest and output map.

import { NOVELTY_V2, type NoveltyAlertParams, NoveltyDetector, type NoveltyParams } from "./novelty.ts";
import { Tail } from "./novelty-memory.ts";
import { Rest } from "./novelty-rest.ts";

export interface DwellParams {
  version: string;
  novelty: NoveltyParams;
  bins: number;
  factor: number;
  minFraction: number;
  weight: number;
  gain: number;
  memory: number;
  /** The rest's length as a fraction of learn (unset: novelty's restFraction). */
  restFraction?: number;
}

export const DWELL_V1: DwellParams = Object.freeze({
  version: "novelty-dwell@v1",
  novelty: NOVELTY_V2,
  bins: 6,
  factor: 2,
  minFraction: 0.25,
  weight: 0.5,
  gain: 3,
  memory: 4000,
});

/**
 * v2: v1 with a rest of 0.2 × learn instead of novelty@v2's 0.5 (a second event soon after a first one
 * is no longer damped). Chosen on the even-indexed NAB files only, paired on random neighbours of
 * novelty@v2 (docs/predictive-maintenance.md, "NAB: a shorter rest").
 */
export const DWELL_V2: DwellParams = Object.freeze({ ...DWELL_V1, version: "novelty-dwell@v2", restFraction: 0.2 });

/**
 * The production alert (NoveltyAlert) for v1: opens at NAB's optimiser's standard threshold for v1 on
 * the even-indexed files (0.5289, as novelty@v2's); clears after 20 samples below 0.48 (novelty@v2's).
 */
export const DWELL_ALERT_V1: NoveltyAlertParams = Object.freeze({ open: 0.5289, clear: 0.48, clearAfter: 20 });

/** The same rule for v2: NAB's optimiser's standard threshold for v2 on the even-indexed files is 0.5289 too. */
export const DWELL_ALERT_V2: NoveltyAlertParams = DWELL_ALERT_V1;

/** The dwell novelty of each sample, streaming. */
export class Dwell {
  private readonly longest: Float64Array;
  private readonly minDwell: number;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private band = -1;
  private dwell = 0;

  constructor(
    private readonly p: Pick<DwellParams, "bins" | "factor" | "minFraction">,
    learn: number,
  ) {
    this.longest = new Float64Array(p.bins);
    this.minDwell = p.minFraction * learn;
  }

  /** ln(dwell / the longest earlier dwell in this band) when the dwell is long enough, else 0. */
  update(x: number): number {
    this.min = Math.min(this.min, x);
    this.max = Math.max(this.max, x);
    const span = this.max - this.min;
    const b = span > 0 ? Math.min(this.p.bins - 1, Math.floor(((x - this.min) / span) * this.p.bins)) : 0;
    if (b === this.band) this.dwell++;
    else {
      if (this.band >= 0) this.longest[this.band] = Math.max(this.longest[this.band] as number, this.dwell);
      this.band = b;
      this.dwell = 1;
    }
    const before = this.longest[b] as number;
    return before > 0 && this.dwell > this.p.factor * before && this.dwell >= this.minDwell ? Math.log(this.dwell / before) : 0;
  }
}

export class DwellDetector {
  private readonly novelty: NoveltyDetector;
  private readonly dwell: Dwell;
  private readonly tail: Tail;
  private readonly rest: Rest;
  private t = 0;
  private last = 0;

  /** `learn`: samples learned before anything is scored (on NAB its probation). */
  constructor(
    readonly params: DwellParams = DWELL_V1,
    readonly learn = 750,
  ) {
    this.novelty = new NoveltyDetector(params.novelty, learn);
    this.dwell = new Dwell(params, learn);
    this.tail = new Tail(params.gain, 1 / (1 - 1 / params.memory));
    this.rest = new Rest({ ...params.novelty, restFraction: params.restFraction ?? params.novelty.restFraction }, learn);
  }

  /** The anomaly score of this sample, in [0, 1]. A missing value (NaN) repeats the last one. */
  update(_ts: number, value: number): number {
    const x = Number.isFinite(value) ? value : this.last;
    this.last = x;
    this.t++;
    const lt = this.novelty.logTail(x);
    const ld = this.tail.logTail(this.dwell.update(x));
    return lt === undefined ? 0 : this.rest.score(this.t, Math.min(lt, this.params.weight * ld));
  }
}

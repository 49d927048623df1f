// A bag of novelty detectors for one series: several parameter sets of the prototype family
// (lib/domain/pdm/novelty.ts) watch the same series; their log tail probabilities, before the rest,
// are averaged, and one rest turns the mean into the score. Pure and deterministic; causal.
// docs/predictive-maintenance.md ("NAB: the bagged novelty detector") explains how the members were
// drawn and why: a single parameter set tuned on half of NAB is a selection peak (74 there, 64 on the
// other half); the mean of several sets' evidence is steadier than any one of them.

import { NOVELTY_V2, type NoveltyAlertParams, NoveltyDetector, type NoveltyParams, type NoveltyState } from "./novelty.ts";
import { Rest, type RestParams, type RestState } from "./novelty-rest.ts";

export interface NoveltyBagParams {
  version: string;
  /** The members (only their views, level, gain, memory and maxPrototypes matter; not their rest). */
  members: readonly NoveltyParams[];
  /** How the mean log tail becomes the score. */
  rest: RestParams;
}

/** One member: novelty@v2's structure with its radii, the current value's weight, gain and memory. */
function member(k: number, radii: number[], weight: number, gain: number, memory: number): NoveltyParams {
  const first = NOVELTY_V2.views[0] as NoveltyParams["views"][number];
  const weights = [weight, ...first.weights.slice(1)];
  return { ...NOVELTY_V2, version: `novelty-bag@v1/${k}`, views: radii.map((radius) => ({ segments: first.segments, weights, radius })), gain, memory };
}

/**
 * v1: eight members, the first eight random neighbours of novelty@v2 (novelty-jitter.ts, seed 1: the
 * first seed, not a chosen one), rounded to 6 digits and frozen here; the rest is novelty@v2's.
 * Chosen on the even-indexed files of NAB only.
 */
export const NOVELTY_BAG_V1: NoveltyBagParams = Object.freeze({
  version: "novelty-bag@v1",
  members: [
    member(1, [0.0201242, 0.0301863, 0.0452794], 2.31052, 3.77842, 2420),
    member(2, [0.0176964, 0.0231888, 0.0303859, 0.0398168], 3.58775, 2.36868, 3639),
    member(3, [0.023283, 0.0305094, 0.0399786, 0.0523868], 2.50772, 3.64152, 4464),
    member(4, [0.0161308, 0.0189711, 0.0223115, 0.0262401, 0.0308604, 0.0362943], 3.85606, 3.44489, 7709),
    member(5, [0.0200255, 0.0235516, 0.0276986, 0.0325757, 0.0383116, 0.0450575], 2.67248, 2.68812, 6370),
    member(6, [0.0223233, 0.0273403, 0.033485, 0.0410105, 0.0502274], 2.18108, 3.34503, 7575),
    member(7, [0.0221649, 0.0332473, 0.049871], 2.20284, 2.24733, 3334),
    member(8, [0.0235975, 0.0309215, 0.0405186, 0.0530944], 2.3307, 3.5347, 6974),
  ],
  rest: {
    logScale: NOVELTY_V2.logScale,
    restFraction: NOVELTY_V2.restFraction,
    restMargin: NOVELTY_V2.restMargin,
    restDamp: NOVELTY_V2.restDamp,
    outputExponent: NOVELTY_V2.outputExponent,
  },
});

export interface NoveltyBagState {
  version: string;
  learn: number;
  t: number;
  members: NoveltyState[];
  rest: RestState;
}

export class NoveltyBagDetector {
  private readonly members: NoveltyDetector[];
  private readonly restStep: Rest;
  private t = 0;

  /** `learn`: samples learned before anything is scored (on NAB its probation). */
  constructor(
    readonly params: NoveltyBagParams = NOVELTY_BAG_V1,
    readonly learn = 750,
  ) {
    if (params.members.length === 0) throw new Error("novelty-bag: at least one member");
    this.members = params.members.map((m) => new NoveltyDetector(m, learn));
    this.restStep = new Rest(params.rest, learn);
  }

  /** The anomaly score of this sample, in [0, 1]. A missing value (NaN) repeats the last one. */
  update(_ts: number, value: number): number {
    this.t++;
    let sum = 0;
    let scored = 0;
    for (const m of this.members) {
      const lt = m.logTail(value);
      if (lt === undefined) continue;
      sum += lt;
      scored++;
    }
    return scored === 0 ? 0 : this.restStep.score(this.t, sum / scored);
  }

  state(): NoveltyBagState {
    return { version: this.params.version, learn: this.learn, t: this.t, members: this.members.map((m) => m.state()), rest: this.restStep.state() };
  }

  /** A detector that continues from a saved state (same parameters, same version). */
  static restore(params: NoveltyBagParams, s: NoveltyBagState): NoveltyBagDetector {
    if (s.version !== params.version) throw new Error(`novelty-bag: state of ${s.version}, parameters of ${params.version}`);
    if (s.members.length !== params.members.length) throw new Error("novelty-bag: the state has another number of members");
    const d = new NoveltyBagDetector(params, s.learn);
    d.t = s.t;
    s.members.forEach((m, i) => {
      d.members[i] = NoveltyDetector.restore(params.members[i] as NoveltyParams, m);
    });
    d.restStep.restore(s.rest);
    return d;
  }
}

/**
 * The production alert rule (NoveltyAlert) for the bag: `open` is NAB's optimiser's standard threshold
 * for it on the even-indexed files (0.4875); `clear` and `clearAfter` keep novelty@v2's gap and hold
 * (not tuned).
 */
export const NOVELTY_BAG_ALERT_V1: NoveltyAlertParams = Object.freeze({ open: 0.4875, clear: 0.44, clearAfter: 20 });

// novelty@v2 with a second, shape-based view: the causal left matrix profile (discord.ts) of the
// series, calibrated like novelty's own tails (a forgetting empirical tail), combined with novelty@v2's
// log tail before its rest. Our own code. Pure (no I/O) and deterministic; causal: the score of sample
// t uses samples ≤ t only. docs/predictive-maintenance.md ("NAB: a shape view") explains it and how
// its parameters were chosen (repeated random splits over files).
//
// - Shape: the distance of the latest z-normalized subsequence of length m (fixed, or in v2 one period
//   of the learning period's main cycle, found by autocorrelation) to its nearest neighbour
//   among the subsequences that ended 1 to `history` samples before it (a discord score);
//   its log10 tail probability against its own earlier values (forgetting with horizon `memory`),
//   and the smallest of the last `lookback` of these.
// - Combination, before novelty@v2's rest and output map:
//   "or"    — min(novelty, weight × shape): either view alarms;
//   "boost" — novelty + weight × min(0, shape + offset): novelty, made more extreme where the shape
//             view is extreme too (beyond 10^−offset); the shape view alone never alarms.

import { type DiscordParams, dominantPeriod, LeftDiscord } from "./discord.ts";
import { NOVELTY_V2, type NoveltyAlertParams, NoveltyDetector, type NoveltyParams } from "./novelty.ts";
import { Tail } from "./novelty-memory.ts";
import { Rest } from "./novelty-rest.ts";

export interface ShapeParams {
  version: string;
  novelty: NoveltyParams;
  /**
   * The shape view; m "auto": one period of the learning period's main cycle (dominantPeriod, at most
   * `maxPeriod`), chosen when the learning period ends and replayed into the view then; the history
   * is then at least 2 × m.
   */
  discord: Omit<DiscordParams, "m"> & { m: number | "auto"; maxPeriod?: number };
  combine: "or" | "boost";
  weight: number;
  /** "boost" only: the shape's log tail counts beyond −offset. */
  offset: number;
  /** The shape view's evidence is the smallest log tail of the last `lookback` samples. */
  lookback: number;
  gain: number;
  memory: number;
}

/**
 * v1: subsequences of 8 samples; the choice the repeated-split protocol made most often on its tuning
 * halves among fixed lengths (docs/predictive-maintenance.md, "NAB: a shape view"). Not the default.
 */
export const SHAPE_V1: ShapeParams = Object.freeze({
  version: "novelty-shape@v1",
  novelty: NOVELTY_V2,
  discord: Object.freeze({ m: 8, history: 2000, floor: 0.02 }),
  combine: "boost",
  weight: 1,
  offset: 1,
  lookback: 1,
  gain: 3,
  memory: 4000,
});

/**
 * v2: v1 with subsequences one period long (m "auto", at most 300 samples: a day at NAB's usual 5
 * minutes); the protocol's most frequent choice once that was among the candidates. Not the default.
 */
export const SHAPE_V2: ShapeParams = Object.freeze({
  ...SHAPE_V1,
  version: "novelty-shape@v2",
  discord: Object.freeze({ m: "auto" as const, maxPeriod: 300, history: 2000, floor: 0.02 }),
});

/** The production alert (NoveltyAlert): novelty@v2's (it is not tuned for this detector). */
export const SHAPE_ALERT_V1: NoveltyAlertParams = Object.freeze({ open: 0.5289, clear: 0.48, clearAfter: 20 });

export class ShapeDetector {
  private readonly novelty: NoveltyDetector;
  private discord: LeftDiscord | undefined;
  private pending: number[] = [];
  private readonly tail: Tail;
  private readonly rest: Rest;
  private readonly recent: Float64Array;
  private t = 0;
  private fed = 0;

  /** `learn`: samples learned before anything is scored (on NAB its probation). */
  constructor(
    readonly params: ShapeParams = SHAPE_V1,
    readonly learn = 750,
  ) {
    this.novelty = new NoveltyDetector(params.novelty, learn);
    const { m, history, floor } = params.discord;
    if (m !== "auto") this.discord = new LeftDiscord({ m, history, floor });
    this.tail = new Tail(params.gain, 1 / (1 - 1 / params.memory));
    this.rest = new Rest(params.novelty, learn);
    this.recent = new Float64Array(Math.max(1, params.lookback));
  }

  /** The shape view's evidence at this sample (≤ 0; 0 while it cannot tell), learning it. */
  private shape(value: number): number {
    if (this.discord) return this.evidence(this.discord, value);
    this.pending.push(value);
    if (this.pending.length < this.learn) return 0;
    const { maxPeriod = 300, history, floor } = this.params.discord;
    const m = dominantPeriod(this.pending, maxPeriod);
    const discord = new LeftDiscord({ m, history: Math.max(history, 2 * m), floor });
    this.discord = discord;
    let e = 0;
    for (const v of this.pending) e = this.evidence(discord, v);
    this.pending = [];
    return e;
  }

  /** The view's log10 tail of the next sample, the smallest of the last `lookback`. */
  private evidence(discord: LeftDiscord, value: number): number {
    const d = discord.push(value);
    const lt = d === undefined ? 0 : this.tail.logTail(d);
    const r = this.recent;
    r[this.fed++ % r.length] = lt;
    let m = 0;
    for (let i = 0; i < Math.min(r.length, this.fed); i++) m = Math.min(m, r[i] as number);
    return m;
  }

  /** The anomaly score of this sample, in [0, 1]. A missing value (NaN) repeats the last one. */
  update(_ts: number, value: number): number {
    const ln = this.novelty.logTail(value);
    const lm = this.shape(value);
    this.t++;
    if (ln === undefined) return 0;
    const p = this.params;
    const lt = p.combine === "or" ? Math.min(ln, p.weight * lm) : ln + p.weight * Math.min(0, lm + p.offset);
    return this.rest.score(this.t, Math.min(0, lt));
  }
}

// novelty@v2 with a second, shape-based view: the causal left matrix profile (discord.ts) of the
// series, calibrated like novelty's own tails (a forgetting empirical tail), combined with novelty@v2's
// log tail before its rest. Our own code. Pure (no I/O) and deterministic; causal: the score of sample
// t uses samples ≤ t only. docs/predictive-maintenance.md ("NAB: a shape view") explains it and how
// its parameters were chosen (repeated random splits over files).
//
// - Shape: the distance of the latest z-normalized subsequence of length m to its nearest neighbour
//   among the subsequences that ended 1 to `history` samples before it (a discord score);
//   its log10 tail probability against its own earlier values (forgetting with horizon `memory`),
//   and the smallest of the last `lookback` of these.
// - Combination, before novelty@v2's rest and output map:
//   "or"    — min(novelty, weight × shape): either view alarms;
//   "boost" — novelty + weight × min(0, shape + offset): novelty, made more extreme where the shape
//             view is extreme too (beyond 10^−offset); the shape view alone never alarms.

import { type DiscordParams, LeftDiscord } from "./discord.ts";
import { NOVELTY_V2, type NoveltyAlertParams, NoveltyDetector, type NoveltyParams } from "./novelty.ts";
import { Tail } from "./novelty-memory.ts";
import { Rest } from "./novelty-rest.ts";

export interface ShapeParams {
  version: string;
  novelty: NoveltyParams;
  discord: DiscordParams;
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
 * Frozen before the full corpus was scored: the choice that the repeated-split protocol made most often
 * on its tuning halves (docs/predictive-maintenance.md, "NAB: a shape view"). Not the default.
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

/** The production alert (NoveltyAlert): novelty@v2's (it is not tuned for this detector). */
export const SHAPE_ALERT_V1: NoveltyAlertParams = Object.freeze({ open: 0.5289, clear: 0.48, clearAfter: 20 });

export class ShapeDetector {
  private readonly novelty: NoveltyDetector;
  private readonly discord: LeftDiscord;
  private readonly tail: Tail;
  private readonly rest: Rest;
  private readonly recent: Float64Array;
  private t = 0;

  /** `learn`: samples learned before anything is scored (on NAB its probation). */
  constructor(
    readonly params: ShapeParams = SHAPE_V1,
    readonly learn = 750,
  ) {
    this.novelty = new NoveltyDetector(params.novelty, learn);
    this.discord = new LeftDiscord(params.discord);
    this.tail = new Tail(params.gain, 1 / (1 - 1 / params.memory));
    this.rest = new Rest(params.novelty, learn);
    this.recent = new Float64Array(Math.max(1, params.lookback));
  }

  /** The shape view's log10 tail of this sample (≤ 0; 0 while it cannot tell), learning it. */
  private shape(value: number): number {
    const d = this.discord.push(value);
    const lt = d === undefined ? 0 : this.tail.logTail(d);
    const r = this.recent;
    r[this.t % r.length] = lt;
    let m = 0;
    for (let i = 0; i < Math.min(r.length, this.t + 1); i++) m = Math.min(m, r[i] as number);
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

// `context@v1`: an ensemble of two detector families for one series, streaming, causal, scores in
// [0, 1]. Pure (no I/O) and deterministic. docs/predictive-maintenance.md ("NAB: the context
// ensemble") explains it, how it was chosen, and what it scores.
//
// - Family 1, prototypes (the novelty detector's, lib/domain/pdm/novelty.ts): the distance of a
//   multi-scale summary of the last 128 samples to the nearest stored prototype, five radii, each
//   calibrated to a log tail probability and averaged.
// - Family 2, contexts (lib/domain/pdm/context-memory.ts, the idea of CAD-OSE): the share of the
//   sample's k-grams of coarsely quantized values (k = 1..6) never seen before, at four strides (2, 4,
//   8, 16 samples), each calibrated to a log tail probability and averaged.
// - Ensemble: the mean of the two families' log tails (a soft "and": a sample must be unusual to
//   both families to score high, one family's quantization accident does not make an alarm).
// - Level, the rest, the output map: exactly as in novelty.ts (the smaller of the ensemble's and the
//   level's tails, × 2; a rest that damps what follows a detection; score^0.375).

import { ContextMemory, type ContextMemoryState } from "./context-memory.ts";
import { NOVELTY_V2, type NoveltyAlertParams, type NoveltyParams } from "./novelty.ts";
import { Prototypes, type PrototypesState, Tail, type TailState } from "./novelty-memory.ts";

export interface ContextParams {
  version: string;
  /** The prototype family, the level term and the post-processing (the rest, the output map). */
  novelty: NoveltyParams;
  /** Quantization levels of the context family (within the range seen so far). */
  levels: number;
  /** Longest k-gram. */
  order: number;
  /** One context memory per stride (samples between the values of a k-gram). */
  strides: readonly number[];
}

/**
 * Frozen. The structure was chosen on the even-indexed NAB files by its neighbourhood (random
 * neighbours of every parameter, paired with novelty@v2's), not by its own score; the parameters are
 * novelty@v2's and the context family's first choice (docs/predictive-maintenance.md).
 */
export const CONTEXT_V1: ContextParams = Object.freeze({
  version: "context@v1",
  novelty: NOVELTY_V2,
  levels: 8,
  order: 6,
  strides: [2, 4, 8, 16],
});

export interface ContextState {
  version: string;
  learn: number;
  t: number;
  min: number | null;
  max: number | null;
  recent: number[];
  prototypes: PrototypesState[];
  contexts: ContextMemoryState[];
  /** prototype views, then the level, then the contexts */
  tails: TailState[];
  rest: { t: number[]; v: number[] };
}

export class ContextDetector {
  readonly params: ContextParams;
  readonly learn: number;
  private readonly span: number;
  private readonly ring: Float64Array;
  private readonly context: Float64Array;
  private readonly segments: readonly number[];
  private readonly prototypes: Prototypes[];
  private readonly contexts: ContextMemory[];
  private readonly tails: Tail[];
  private readonly rest: number;
  private restT: number[] = [];
  private restV: number[] = [];
  private restHead = 0;
  private t = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  /** the context family's latest log tails (0 until each memory has seen its span) */
  private readonly contextLt: Float64Array;

  /** `learn`: samples learned before anything is scored (on NAB its probation: 15 % of the file, at most 750). */
  constructor(params: ContextParams = CONTEXT_V1, learn = 750) {
    const p = params.novelty;
    if (!p.level) throw new Error("context: the level term is part of the detector");
    this.params = params;
    this.learn = learn;
    this.segments = p.views[0]?.segments ?? [1];
    if (p.views.some((v) => v.segments.join() !== this.segments.join())) throw new Error("context: every view must share the segments");
    this.span = this.segments.reduce((a, b) => a + b, 0);
    this.ring = new Float64Array(this.span);
    this.context = new Float64Array(this.segments.length);
    this.prototypes = p.views.map((v) => new Prototypes(v.weights, p.maxPrototypes));
    this.contexts = params.strides.map((s) => new ContextMemory(params.levels, params.order, s));
    const grow = p.memory ? 1 / (1 - 1 / p.memory) : 1;
    this.tails = Array.from({ length: p.views.length + 1 + params.strides.length }, () => new Tail(p.gain, grow));
    this.contextLt = new Float64Array(params.strides.length);
    this.rest = Math.max(1, Math.round(p.restFraction * learn));
  }

  /** The anomaly score of this sample, in [0, 1]. A missing value (NaN) repeats the last one. */
  update(_ts: number, value: number): number {
    const p = this.params.novelty;
    const x = Number.isFinite(value) ? value : this.t > 0 ? (this.ring[(this.t - 1) % this.span] as number) : 0;
    this.ring[this.t % this.span] = x;
    this.t++;
    const prevMin = this.min;
    const prevMax = this.max;
    const prevRange = prevMax - prevMin;
    this.min = Math.min(this.min, x);
    this.max = Math.max(this.max, x);
    const views = p.views.length;
    for (const [i, memory] of this.contexts.entries()) {
      const novelty = memory.update(x, prevMin, prevMax);
      if (novelty !== undefined) this.contextLt[i] = (this.tails[views + 1 + i] as Tail).logTail(novelty);
    }
    if (this.t < this.span) return 0;
    const range = prevRange > 0 ? prevRange : Math.max(this.max - this.min, 1e-12);
    const c = this.context;
    let k = this.t - 1;
    for (let s = 0; s < this.segments.length; s++) {
      const len = this.segments[s] as number;
      let sum = 0;
      for (let j = 0; j < len; j++) sum += this.ring[(k - j) % this.span] as number;
      c[s] = sum / len;
      k -= len;
    }
    let protoLt = 0;
    for (const [v, view] of p.views.entries()) {
      const memory = this.prototypes[v] as Prototypes;
      const { d, at } = memory.nearest(c);
      const dist = d / range;
      if (at < 0 || dist > view.radius) memory.insert(c, this.t);
      else memory.touch(at, this.t);
      const novelty = at < 0 ? 0 : Math.max(0, Math.min(dist, 1) - view.radius);
      protoLt += (this.tails[v] as Tail).logTail(novelty) / views;
    }
    let contextLt = 0;
    for (const lt of this.contextLt) contextLt += lt / this.contextLt.length;
    const e = prevRange > 0 ? Math.max(0, x - prevMax, prevMin - x) / range : 0;
    const levelLt = (this.tails[views] as Tail).logTail(e);
    if (this.t <= this.learn) return 0;
    const lt = Math.min((Math.min(0, protoLt) + contextLt) / 2, levelLt) + Math.log10(2);
    let score = Math.min(1, Math.max(0, -lt / p.logScale));
    const start = this.t - this.rest;
    while (this.restT.length > this.restHead && (this.restT[this.restHead] as number) < start) this.restHead++;
    const m = this.restT.length > this.restHead ? (this.restV[this.restHead] as number) : 0;
    if (score <= m + p.restMargin) score *= p.restDamp;
    while (this.restT.length > this.restHead && (this.restV[this.restV.length - 1] as number) <= score) {
      this.restT.pop();
      this.restV.pop();
    }
    this.restT.push(this.t);
    this.restV.push(score);
    if (this.restHead > 1024) {
      this.restT.splice(0, this.restHead);
      this.restV.splice(0, this.restHead);
      this.restHead = 0;
    }
    return score ** p.outputExponent;
  }

  /** What the detector has learned: prototypes per view, k-grams per context memory. */
  get sizes(): { prototypes: number[]; contexts: number[] } {
    return { prototypes: this.prototypes.map((m) => m.size), contexts: this.contexts.map((m) => m.size) };
  }

  state(): ContextState {
    const recent: number[] = [];
    for (let i = Math.max(0, this.t - this.span); i < this.t; i++) recent.push(this.ring[i % this.span] as number);
    return {
      version: this.params.version,
      learn: this.learn,
      t: this.t,
      min: Number.isFinite(this.min) ? this.min : null,
      max: Number.isFinite(this.max) ? this.max : null,
      recent,
      prototypes: this.prototypes.map((m) => m.state()),
      contexts: this.contexts.map((m) => m.state()),
      tails: this.tails.map((t) => t.state()),
      rest: { t: this.restT.slice(this.restHead), v: this.restV.slice(this.restHead) },
    };
  }

  /** A detector that continues from a saved state (same parameters, same version). */
  static restore(params: ContextParams, s: ContextState): ContextDetector {
    if (s.version !== params.version) throw new Error(`context: state of ${s.version}, parameters of ${params.version}`);
    const d = new ContextDetector(params, s.learn);
    d.t = s.t;
    d.min = s.min ?? Number.POSITIVE_INFINITY;
    d.max = s.max ?? Number.NEGATIVE_INFINITY;
    s.recent.forEach((v, i) => {
      d.ring[(s.t - s.recent.length + i) % d.span] = v;
    });
    s.prototypes.forEach((m, i) => {
      d.prototypes[i]?.restore(m);
    });
    s.contexts.forEach((m, i) => {
      d.contexts[i]?.restore(m, s.t);
    });
    s.tails.forEach((t, i) => {
      d.tails[i]?.restore(t);
    });
    d.restT = [...s.rest.t];
    d.restV = [...s.rest.v];
    return d;
  }
}

/**
 * The production alert rule on context@v1's score (NoveltyAlert): `open` is NAB's optimiser's
 * standard threshold for context@v1 on the even-indexed files (0.450781); `clear` sits 0.05 below it
 * and `clearAfter` is 20 samples, as for novelty@v2 (not tuned). Set before the odd half was scored.
 */
export const CONTEXT_ALERT_V1: NoveltyAlertParams = Object.freeze({ open: 0.4508, clear: 0.4, clearAfter: 20 });

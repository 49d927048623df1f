// The novelty detectors' last step (lib/domain/pdm/novelty.ts, novelty-bag.ts): a log tail probability
// becomes a score in [0, 1], and the rest damps what follows a detection. Pure and deterministic.

export interface RestParams {
  /** −log10(tail probability) is divided by this and clipped to 1. */
  logScale: number;
  /** Length of the rest, as a fraction of the learning period. */
  restFraction: number;
  restMargin: number;
  restDamp: number;
  /** A monotone map of the final score (only moves where the thresholds fall, towards 0.5). */
  outputExponent: number;
}

export interface RestState {
  t: number[];
  v: number[];
}

/**
 * A score counts fully only if it exceeds every output of the last `restFraction · learn` samples by
 * `restMargin` (before the exponent); otherwise it is damped (× restDamp): the first detection of an
 * event matters, the ones right after it are mostly the same event.
 */
export class Rest {
  private readonly length: number;
  private restT: number[] = [];
  private restV: number[] = [];
  private head = 0;

  constructor(
    private readonly p: RestParams,
    learn: number,
  ) {
    this.length = Math.max(1, Math.round(p.restFraction * learn));
  }

  /** The output of sample `t` (1-based) whose log10 tail probability is `lt` (≤ 0). */
  score(t: number, lt: number): number {
    const p = this.p;
    let score = Math.min(1, Math.max(0, -lt / p.logScale));
    // the highest output of the rest window, from a monotonic deque of (sample, output)
    const start = t - this.length;
    while (this.restT.length > this.head && (this.restT[this.head] as number) < start) this.head++;
    const m = this.restT.length > this.head ? (this.restV[this.head] as number) : 0;
    if (score <= m + p.restMargin) score *= p.restDamp;
    while (this.restT.length > this.head && (this.restV[this.restV.length - 1] as number) <= score) {
      this.restT.pop();
      this.restV.pop();
    }
    this.restT.push(t);
    this.restV.push(score);
    if (this.head > 1024) {
      this.restT.splice(0, this.head);
      this.restV.splice(0, this.head);
      this.head = 0;
    }
    return score ** p.outputExponent;
  }

  state(): RestState {
    return { t: this.restT.slice(this.head), v: this.restV.slice(this.head) };
  }

  restore(s: RestState): void {
    this.restT = [...s.t];
    this.restV = [...s.v];
    this.head = 0;
  }
}

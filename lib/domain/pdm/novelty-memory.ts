// The novelty detector's memories (lib/domain/pdm/novelty.ts): the tail probability of a score among
// its earlier values (a log-spaced histogram, the conformal calibration), and the prototypes of the
// contexts seen with an exact nearest-neighbour search. Pure and deterministic: no I/O.

const BINS = 400;
const binOf = (v: number) => (v <= 0 ? 0 : Math.min(BINS - 1, Math.max(1, Math.floor((Math.log10(v) + 7) * (BINS / 8)))));

export interface TailState {
  hist: number[];
  n: number;
  top: number;
  g: number;
}

/** Tail probabilities of a non-negative raw score among its earlier values. */
export class Tail {
  hist = new Float64Array(BINS);
  n = 0;
  top = 0;
  /** The weight of the next value (grows so that older values fade, when a memory is set). */
  g = 1;
  constructor(
    private readonly gain: number,
    private readonly grow = 1,
  ) {}

  /** log10 of the share of earlier values ≥ v (with one pseudo-count); then counts v in. */
  logTail(v: number): number {
    const b = binOf(v);
    let above = 0;
    for (let i = b; i < BINS; i++) above += this.hist[i] as number;
    let lt = Math.log10((above + this.g) / (this.n + this.g));
    if (v > this.top && this.top > 0) lt += this.gain * Math.log10(this.top / v);
    const first = this.n === 0;
    this.hist[b] = (this.hist[b] as number) + this.g;
    this.n += this.g;
    this.g *= this.grow;
    if (this.g > 1e100) {
      for (let i = 0; i < BINS; i++) this.hist[i] = (this.hist[i] as number) / this.g;
      this.n /= this.g;
      this.g = 1;
    }
    if (v > this.top) this.top = v;
    return first ? 0 : lt;
  }

  state(): TailState {
    return { hist: Array.from(this.hist), n: this.n, top: this.top, g: this.g };
  }

  restore(s: TailState) {
    this.hist = Float64Array.from(s.hist);
    this.n = s.n;
    this.top = s.top;
    this.g = s.g;
  }
}

export interface PrototypesState {
  protos: number[][];
  used: number[];
}

/** Contexts seen, sorted by their weighted mean, with an exact nearest-neighbour search. */
export class Prototypes {
  private protos: Float64Array[] = [];
  private means: number[] = [];
  private used: number[] = [];
  private readonly wsum: number;
  constructor(
    private readonly weights: readonly number[],
    private readonly max: number,
  ) {
    this.wsum = weights.reduce((a, b) => a + b, 0);
  }

  /** Weighted mean absolute difference; ≥ |weighted mean(a) − weighted mean(b)|. */
  private distance(a: Float64Array, b: Float64Array): number {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += (this.weights[i] as number) * Math.abs((a[i] as number) - (b[i] as number));
    return s / this.wsum;
  }

  private meanOf(a: ArrayLike<number>): number {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += (this.weights[i] as number) * (a[i] as number);
    return s / this.wsum;
  }

  private lowerBound(m: number): number {
    let lo = 0;
    let hi = this.means.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.means[mid] as number) < m) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The distance to the nearest prototype (∞ when there is none) and its index (−1). */
  nearest(c: Float64Array): { d: number; at: number } {
    const n = this.protos.length;
    const m = this.meanOf(c);
    let best = Number.POSITIVE_INFINITY;
    let at = -1;
    let up = this.lowerBound(m);
    let down = up - 1;
    while (up < n || down >= 0) {
      const du = up < n ? (this.means[up] as number) - m : Number.POSITIVE_INFINITY;
      const dd = down >= 0 ? m - (this.means[down] as number) : Number.POSITIVE_INFINITY;
      if (Math.min(du, dd) >= best) break;
      const i = du <= dd ? up++ : down--;
      const d = this.distance(c, this.protos[i] as Float64Array);
      if (d < best) {
        best = d;
        at = i;
      }
    }
    return { d: best, at };
  }

  touch(at: number, t: number) {
    this.used[at] = t;
  }

  insert(c: ArrayLike<number>, t: number) {
    if (this.protos.length >= this.max) {
      let old = 0;
      for (let i = 1; i < this.used.length; i++) if ((this.used[i] as number) < (this.used[old] as number)) old = i;
      this.protos.splice(old, 1);
      this.means.splice(old, 1);
      this.used.splice(old, 1);
    }
    const m = this.meanOf(c);
    const at = this.lowerBound(m);
    this.protos.splice(at, 0, Float64Array.from(c));
    this.means.splice(at, 0, m);
    this.used.splice(at, 0, t);
  }

  get size() {
    return this.protos.length;
  }

  state(): PrototypesState {
    return { protos: this.protos.map((p) => Array.from(p)), used: [...this.used] };
  }

  restore(s: PrototypesState) {
    this.protos = [];
    this.means = [];
    this.used = [];
    s.protos.forEach((p, i) => {
      this.insert(p, s.used[i] ?? 0);
    });
  }
}

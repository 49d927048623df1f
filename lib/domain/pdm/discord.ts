// A causal left matrix profile of one series, streamed: for the latest subsequence of length m, the
// z-normalized Euclidean distance to its nearest neighbour among the subsequences that ended in a
// bounded past (lags m … history). A shape never seen before is far from all of them: a discord, in
// the sense of Lu, Wu, Mueen, Zuluaga and Keogh (2022), "Matrix Profile XXIV: scaling time series
// anomaly detection to trillions of datapoints and ultra-fast arriving data streams" (DAMP). Our own
// code from the published idea; no DAMP source read.
//
// Incremental, in the manner of STOMP: the dot product of the latest subsequence with the one `lag`
// samples earlier is updated in O(1) per lag and sample (QT(t, lag) = QT(t−1, lag) + x_t·x_{t−lag} −
// x_{t−m}·x_{t−m−lag}), so a sample costs O(history). Pure and deterministic.
//
// A flat subsequence has no shape; its standard deviation is floored at `floor` × the range of the
// values seen so far, so noise on a flat stretch is not blown up to unit variance (two flat
// subsequences are close; a flat one and a moving one are far).

export interface DiscordParams {
  /** Subsequence length. */
  m: number;
  /** The farthest lag searched (bounded past, in samples). */
  history: number;
  /** Standard-deviation floor, as a fraction of the range seen so far. */
  floor: number;
}

export class LeftDiscord {
  private readonly cap: number;
  private readonly x: Float64Array;
  private readonly mu: Float64Array;
  private readonly sd: Float64Array;
  /** qt[lag]: the dot product of the latest subsequence with the one `lag` samples earlier. */
  private readonly qt: Float64Array;
  private t = -1;
  private offset = Number.NaN;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private sum = 0;
  private sumSq = 0;

  constructor(readonly params: DiscordParams) {
    if (params.m < 2 || params.history < params.m) throw new Error("discord: need m ≥ 2 and history ≥ m");
    this.cap = params.history + params.m + 1;
    this.x = new Float64Array(this.cap);
    this.mu = new Float64Array(this.cap);
    this.sd = new Float64Array(this.cap);
    this.qt = new Float64Array(params.history + 1);
  }

  /**
   * Learns the sample and returns the latest subsequence's distance to its nearest earlier neighbour,
   * divided by √m (0 = same shape; about √2 for unrelated shapes, 2 for opposite ones), or undefined
   * while fewer than 2·m samples have been seen. A missing value (NaN) repeats the last one.
   */
  push(value: number): number | undefined {
    const { m, history } = this.params;
    const cap = this.cap;
    const last = this.t >= 0 ? (this.x[this.t % cap] as number) : 0;
    if (Number.isNaN(this.offset)) this.offset = Number.isFinite(value) ? value : 0;
    const v = Number.isFinite(value) ? value - this.offset : last;
    const t = ++this.t;
    const x = this.x;
    x[t % cap] = v;
    this.min = Math.min(this.min, v);
    this.max = Math.max(this.max, v);
    this.sum += v;
    this.sumSq += v * v;
    if (t >= m) {
      const old = x[(t - m) % cap] as number;
      this.sum -= old;
      this.sumSq -= old * old;
    }
    if (t < m - 1) return undefined;
    if (t % 4096 === 0) this.resum(t);
    const mean = this.sum / m;
    const sdT = Math.sqrt(Math.max(0, this.sumSq / m - mean * mean));
    this.mu[t % cap] = mean;
    this.sd[t % cap] = sdT;
    const floor = Math.max(this.params.floor * (this.max - this.min), 1e-12);
    const sa = Math.max(sdT, floor);
    const va = (sdT * sdT) / (sa * sa);
    const qt = this.qt;
    const top = Math.min(history, t - (m - 1));
    const xOut = t >= m ? (x[(t - m) % cap] as number) : 0;
    let best = Number.POSITIVE_INFINITY;
    for (let lag = m; lag <= top; lag++) {
      const j = t - lag;
      if (lag === t - (m - 1)) {
        // the subsequence ending at j has just become complete for this lag: its dot product, directly
        let s = 0;
        for (let k = 0; k < m; k++) s += (x[(t - k) % cap] as number) * (x[(j - k) % cap] as number);
        qt[lag] = s;
      } else {
        qt[lag] = (qt[lag] as number) + v * (x[j % cap] as number) - xOut * (x[(j - m) % cap] as number);
      }
      const sdB = this.sd[j % cap] as number;
      const sb = Math.max(sdB, floor);
      const cov = (qt[lag] as number) / m - mean * (this.mu[j % cap] as number);
      const d2 = va + (sdB * sdB) / (sb * sb) - (2 * cov) / (sa * sb);
      if (d2 < best) best = d2;
    }
    return t < 2 * m - 1 ? undefined : Math.sqrt(Math.max(0, best));
  }

  /** Recomputes the running sums of the latest window exactly (no drift over long series). */
  private resum(t: number): void {
    let s = 0;
    let q = 0;
    for (let k = 0; k < this.params.m; k++) {
      const v = this.x[(t - k) % this.cap] as number;
      s += v;
      q += v * v;
    }
    this.sum = s;
    this.sumSq = q;
  }
}

/**
 * The lag of the highest local peak of the autocorrelation of `xs` in [8, min(maxPeriod, n / 2)],
 * if that peak exceeds 0.2; else `fallback`. A subsequence length for LeftDiscord: one period of the
 * series' main cycle (on NAB: a day, when the learning period holds two), or a short default.
 */
export function dominantPeriod(xs: readonly number[], maxPeriod: number, fallback = 32): number {
  const v: number[] = [];
  for (const x of xs) v.push(Number.isFinite(x) ? x : (v[v.length - 1] ?? 0));
  const n = v.length;
  const mean = v.reduce((a, b) => a + b, 0) / Math.max(1, n);
  const c = v.map((x) => x - mean);
  const c0 = c.reduce((a, b) => a + b * b, 0) || 1;
  const acf = (k: number) => {
    let s = 0;
    for (let i = k; i < n; i++) s += (c[i] as number) * (c[i - k] as number);
    return s / c0;
  };
  const top = Math.min(maxPeriod, Math.floor(n / 2));
  let best = fallback;
  let bestR = 0.2;
  let prev = acf(7);
  let cur = acf(8);
  for (let k = 8; k < top; k++) {
    const next = acf(k + 1);
    if (cur > prev && cur >= next && cur > bestR) {
      best = k;
      bestR = cur;
    }
    prev = cur;
    cur = next;
  }
  return best;
}

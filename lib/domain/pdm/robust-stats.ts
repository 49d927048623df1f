// Robust multivariate statistics for the detectors: medians and quantiles, the eigen-decomposition of a
// symmetric matrix, mean and covariance, Mahalanobis distances, χ² and normal quantiles, and robust
// inliers by the concentration steps of FAST-MCD. Pure and deterministic: no I/O, no randomness.
export const sq = (x: number) => x * x;

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return Number.NaN;
  return n % 2 ? (s[(n - 1) / 2] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
}

/**
 * Median of |x − m| over an ascending array whose median is m, without sorting the deviations: those
 * left of m grow leftwards, those right of it rightwards, so merging the two sides outwards yields
 * them in order (O(n); the same values as sorting |x − m|).
 */
export function medianAbsDeviationSorted(s: ArrayLike<number>, m: number): number {
  const n = s.length;
  if (n === 0) return Number.NaN;
  let r = 0;
  while (r < n && (s[r] as number) < m) r++;
  let l = r - 1;
  const want = n >> 1; // odd n: the deviation at index want; even n: the mean of want − 1 and want
  let prev = 0;
  for (let k = 0; ; k++) {
    const dl = l >= 0 ? m - (s[l] as number) : Number.POSITIVE_INFINITY;
    const dr = r < n ? (s[r] as number) - m : Number.POSITIVE_INFINITY;
    const d = Math.min(dl, dr);
    if (dl <= dr) l--;
    else r++;
    if (k === want) return n % 2 ? d : (prev + d) / 2;
    prev = d;
  }
}

export function quantileOf(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(s.length - 1, lo + 1);
  return (s[lo] as number) + ((s[hi] as number) - (s[lo] as number)) * (pos - lo);
}

/** Jacobi eigen-decomposition of a symmetric matrix: eigenvalues descending, eigenvectors as rows. */
export function symmetricEigen(a: readonly (readonly number[])[]): { values: number[]; vectors: number[][] } {
  const p = a.length;
  const m = a.map((r) => [...r]);
  const v = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) off += sq((m[i] as number[])[j] as number);
    if (off < 1e-22) break;
    for (let i = 0; i < p; i++) {
      for (let j = i + 1; j < p; j++) {
        const mi = m[i] as number[];
        const mj = m[j] as number[];
        const aij = mi[j] as number;
        if (Math.abs(aij) < 1e-300) continue;
        const theta = ((mj[j] as number) - (mi[i] as number)) / (2 * aij);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < p; k++) {
          const mk = m[k] as number[];
          const aki = mk[i] as number;
          const akj = mk[j] as number;
          mk[i] = c * aki - s * akj;
          mk[j] = s * aki + c * akj;
        }
        for (let k = 0; k < p; k++) {
          const aik = mi[k] as number;
          const ajk = mj[k] as number;
          mi[k] = c * aik - s * ajk;
          mj[k] = s * aik + c * ajk;
        }
        for (let k = 0; k < p; k++) {
          const vk = v[k] as number[];
          const vki = vk[i] as number;
          const vkj = vk[j] as number;
          vk[i] = c * vki - s * vkj;
          vk[j] = s * vki + c * vkj;
        }
      }
    }
  }
  const order = Array.from({ length: p }, (_, i) => i).sort((x, y) => ((m[y] as number[])[y] as number) - ((m[x] as number[])[x] as number) || x - y);
  const values = order.map((i) => (m[i] as number[])[i] as number);
  // eigenvectors as rows, sign fixed (largest |component| positive) so the model is deterministic
  const vectors = order.map((i) => {
    const vec = v.map((row) => row[i] as number);
    let big = 0;
    for (const x of vec) if (Math.abs(x) > Math.abs(big)) big = x;
    return big < 0 ? vec.map((x) => -x) : vec;
  });
  return { values, vectors };
}

export function meanCov(rows: readonly (readonly number[])[], p: number): { mu: number[]; cov: number[][] } {
  const n = rows.length;
  const mu = Array.from({ length: p }, (_, j) => rows.reduce((a, r) => a + (r[j] as number), 0) / Math.max(1, n));
  const cov = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (const r of rows) {
    for (let i = 0; i < p; i++) {
      const di = (r[i] as number) - (mu[i] as number);
      const ci = cov[i] as number[];
      for (let j = i; j < p; j++) ci[j] = (ci[j] as number) + di * ((r[j] as number) - (mu[j] as number));
    }
  }
  for (let i = 0; i < p; i++)
    for (let j = i; j < p; j++) {
      const c = ((cov[i] as number[])[j] as number) / Math.max(1, n - 1);
      (cov[i] as number[])[j] = c;
      (cov[j] as number[])[i] = c;
    }
  return { mu, cov };
}

/** Squared Mahalanobis distances of rows to (mu, cov), through its eigen-decomposition with a ridge. */
export function mahalanobis(rows: readonly (readonly number[])[], mu: readonly number[], cov: readonly (readonly number[])[]): number[] {
  const p = mu.length;
  const { values, vectors } = symmetricEigen(cov);
  const floor = Math.max(1e-12, 1e-6 * values.reduce((a, b) => a + Math.max(0, b), 0));
  const lambdas = values.map((l) => Math.max(l, floor));
  return rows.map((r) => {
    let d = 0;
    for (let a = 0; a < p; a++) {
      const va = vectors[a] as number[];
      let t = 0;
      for (let j = 0; j < p; j++) t += (va[j] as number) * ((r[j] as number) - (mu[j] as number));
      d += (t * t) / (lambdas[a] as number);
    }
    return d;
  });
}

/** χ² quantile by the Wilson–Hilferty approximation (good to a few percent for df ≥ 3). */
export function chi2Quantile(q: number, df: number): number {
  const z = normalQuantile(q);
  const a = 2 / (9 * df);
  return df * (1 - a + z * Math.sqrt(a)) ** 3;
}

/** Standard normal quantile (Acklam's rational approximation). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  if (p > 1 - lo) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
}

// ---------------------------------------------------------------- fitting

/**
 * Robust inliers of the training rows, without labels: coordinate-wise median/MAD standardization,
 * the h = trim·n rows closest to the median as the start, concentration steps (mean and covariance
 * of the h rows with the smallest Mahalanobis distance, until the set stops changing), then a
 * reweighting step keeping every row within the χ² inlier quantile after the consistency correction.
 * Returns the indices of the inliers.
 */
export function robustInliers(rows: readonly (readonly number[])[], trim: number, inlierQuantile: number): number[] {
  const n = rows.length;
  const p = rows[0]?.length ?? 0;
  if (n <= p + 1) return rows.map((_, i) => i);
  const med = Array.from({ length: p }, (_, j) => median(rows.map((r) => r[j] as number)));
  const mad = Array.from({ length: p }, (_, j) => {
    const m = med[j] as number;
    const dev = median(rows.map((r) => Math.abs((r[j] as number) - m)));
    const sd = Math.sqrt(
      meanCov(
        rows.map((r) => [r[j] as number]),
        1,
      ).cov[0]?.[0] ?? 0,
    );
    return Math.max(1.4826 * dev, 0.05 * sd, 1e-9 * (1 + Math.abs(m)));
  });
  const z = rows.map((r) => r.map((x, j) => (x - (med[j] as number)) / (mad[j] as number)));
  const h = Math.max(p + 1, Math.min(n, Math.ceil(trim * n)));
  const byDistance = (d: readonly number[]) =>
    d
      .map((x, i) => ({ x, i }))
      .sort((u, v) => u.x - v.x || u.i - v.i)
      .map((e) => e.i);
  let subset = byDistance(z.map((r) => r.reduce((a, x) => a + Math.min(x * x, 1e6), 0))).slice(0, h);
  let d: number[] = [];
  for (let step = 0; step < 50; step++) {
    const { mu, cov } = meanCov(
      subset.map((i) => z[i] as number[]),
      p,
    );
    d = mahalanobis(z, mu, cov);
    const next = byDistance(d).slice(0, h);
    const before = [...subset].sort((a, b) => a - b);
    const same = next.length === before.length && [...next].sort((a, b) => a - b).every((x, k) => x === before[k]);
    subset = next;
    if (same) break;
  }
  // consistency: the h-subset's covariance underestimates the scatter; rescale so the median distance is χ²'s median
  const c = median(d) / chi2Quantile(0.5, p);
  const limit = chi2Quantile(inlierQuantile, p) * c;
  const inliers = d.map((x, i) => ({ x, i })).filter((e) => e.x <= limit);
  return inliers.length > p + 1 ? inliers.map((e) => e.i) : subset;
}

/** The causal EWMA of each column, started at the first row. */
export function smoothRows(rows: readonly (readonly number[])[], weight: number): number[][] {
  let m: number[] | undefined;
  return rows.map((r) => {
    m = m ? m.map((v, j) => weight * (r[j] as number) + (1 - weight) * v) : [...r];
    return m;
  });
}

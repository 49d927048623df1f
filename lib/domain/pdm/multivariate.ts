// A causal multivariate detector for a machine with several correlated sensors (SKAB's pump, a live
// machine's per-second signals): Hotelling's T² and the squared prediction error (SPE, also called Q)
// of a PCA model of the smoothed, standardized sensors, learned from a training block with a robust
// (trimmed, MCD-like) estimator, then streamed row by row with hysteresis. Pure and deterministic:
// no I/O, no randomness, no look-ahead. docs/predictive-maintenance.md ("SKAB") explains it.
//
// - Causal smoothing first: every sensor enters as the EWMA of its values (weight `smoothing` on the
//   newest row), the multivariate EWMA (MEWMA) of Lowry et al. (1992): noise averages out while a
//   lasting shift in one sensor, or in the relation between sensors, stays. The model is fitted on
//   the smoothed training rows, so the autocorrelation the smoothing creates is in its statistics.
// - fitT2Q(rows): robust inliers by concentration steps (the C-steps of FAST-MCD, started from the
//   rows closest to the coordinate-wise median) and a reweighting step; the inliers' mean and
//   correlation; PCA of that correlation, keeping the fewest components explaining `variance` of it.
// - scoreT2Q(model, smoothedRow): T² (in the kept components) and SPE (in the rest), each in units of
//   its median over the training inliers, combined as t2Weight·T² + (1 − t2Weight)·SPE, with a
//   per-sensor decomposition that sums to the score (which sensors the alert is about).
// - T2QDetector.update(row): the threshold is `factor` × the `quantile` of the training inliers'
//   scores; an alert opens after `persist` rows above it and clears after `clearAfter` rows below
//   `clearFraction` of it.

import { meanCov, median, quantileOf, robustInliers, smoothRows, sq, symmetricEigen } from "./robust-stats.ts";

export interface T2QParams {
  version: string;
  /** Rows the model is learned from before any score (SKAB's protocol: 400). */
  trainRows: number;
  /** Share of the training rows the concentration steps keep (h / n); 1 − trim is what they may reject. */
  trim: number;
  /** Reweighting: a training row is an inlier when its squared distance is within this χ² quantile (after the consistency correction). */
  inlierQuantile: number;
  /** The PCA keeps the fewest components explaining at least this share of the inliers' correlation. */
  variance: number;
  /** EWMA weight of the newest row in the smoothed sensor vector (1: no smoothing). */
  smoothing: number;
  /** Weight of T² in the combined score; SPE gets the rest. */
  t2Weight: number;
  /** A sensor's scale is never below this fraction of its standard deviation over all (smoothed) training rows. */
  scaleFloor: number;
  /** Threshold = factor × this quantile of the score over the training inliers. */
  quantile: number;
  factor: number;
  /** Consecutive rows above the threshold before an alert opens. */
  persist: number;
  /** Consecutive rows below clearFraction × threshold before it clears. */
  clearAfter: number;
  clearFraction: number;
  /**
   * "up": a row counts as above the threshold only when most of its score (by the sensors'
   * contributions) comes from sensors above their mean: for features that a fault raises, a fall
   * is no fault (a repaired machine vibrating less than when it was learned). Default: both ways.
   */
  direction?: "up" | "both";
}

/**
 * smoothing, t2Weight and factor were chosen on SKAB's valve1 runs only (a grid, then one parameter
 * at a time; docs/predictive-maintenance.md, "SKAB"); the rest are textbook defaults. Frozen: change
 * them only with a new version.
 */
export const T2Q_V1: T2QParams = Object.freeze({
  version: "t2q@v1",
  trainRows: 400,
  trim: 0.75,
  inlierQuantile: 0.975,
  variance: 0.9,
  smoothing: 0.2,
  t2Weight: 0.85,
  scaleFloor: 1,
  quantile: 0.99,
  factor: 7,
  persist: 3,
  clearAfter: 30,
  clearFraction: 0.8,
});

export interface T2QModel {
  sensors: readonly string[];
  /** location and scale of each (smoothed) sensor: the robust inliers' mean; the larger of their and scaleFloor × all training rows' standard deviation */
  mean: readonly number[];
  scale: readonly number[];
  /** kept principal directions (rows: components, columns: sensors) and their variances */
  components: readonly (readonly number[])[];
  eigenvalues: readonly number[];
  /** medians of T² and SPE over the training inliers (the units of the score) */
  t2Unit: number;
  speUnit: number;
  /** weight of T² in the score (SPE: 1 − t2Weight) */
  t2Weight: number;
  /** the alarm threshold of the score */
  threshold: number;
  /** the smoothed sensor vector after the last training row (a detector built from the model continues from it) */
  smoothedLast: readonly number[];
  /** training rows kept as inliers by the robust estimator */
  inliers: number;
  trainRows: number;
}

export interface T2QScore {
  t2: number;
  spe: number;
  /** t2Weight · T²/t2Unit + (1 − t2Weight) · SPE/speUnit */
  score: number;
  /** per sensor, summing to score (T² part by Westerhuis' complete decomposition, which can be slightly negative) */
  contributions: number[];
}

// ---------------------------------------------------------------- small linear algebra (p×p, p ~ 10)

function scoreWith(model: Omit<T2QModel, "threshold" | "t2Unit" | "speUnit"> & { t2Unit: number; speUnit: number }, row: readonly number[]): T2QScore {
  const p = model.mean.length;
  const z = row.map((x, j) => (x - (model.mean[j] as number)) / (model.scale[j] as number));
  const k = model.components.length;
  const t = model.components.map((comp) => comp.reduce((a, w, j) => a + w * (z[j] as number), 0));
  // residual e = z − Pᵀ t
  const e = z.map((zj, j) => zj - model.components.reduce((a, comp, c) => a + (comp[j] as number) * (t[c] as number), 0));
  let t2 = 0;
  for (let c = 0; c < k; c++) t2 += sq(t[c] as number) / (model.eigenvalues[c] as number);
  const spe = e.reduce((a, x) => a + x * x, 0);
  // complete decomposition: T² = Σ_j z_j Σ_c (t_c / λ_c) p_cj; SPE = Σ_j e_j²
  const contributions = Array.from({ length: p }, (_, j) => {
    let t2j = 0;
    for (let c = 0; c < k; c++) t2j += ((t[c] as number) / (model.eigenvalues[c] as number)) * ((model.components[c] as number[])[j] as number);
    t2j *= z[j] as number;
    return (model.t2Weight * t2j) / model.t2Unit + ((1 - model.t2Weight) * sq(e[j] as number)) / model.speUnit;
  });
  return { t2, spe, score: (model.t2Weight * t2) / model.t2Unit + ((1 - model.t2Weight) * spe) / model.speUnit, contributions };
}

/** The model from the training rows (each row: one value per sensor, in `sensors` order). */
export function fitT2Q(rawRows: readonly (readonly number[])[], sensors: readonly string[], params: T2QParams = T2Q_V1): T2QModel {
  const p = sensors.length;
  if (rawRows.length <= p + 1) throw new Error(`fitT2Q: ${rawRows.length} rows for ${p} sensors`);
  const rows = smoothRows(rawRows, params.smoothing);
  const inlierIdx = robustInliers(rows, params.trim, params.inlierQuantile);
  const inliers = inlierIdx.map((i) => rows[i] as readonly number[]);
  const { mu, cov } = meanCov(inliers, p);
  const all = meanCov(rows, p).cov;
  const scale = cov.map((r, j) => {
    const s = Math.max(Math.sqrt(Math.max(0, r[j] as number)), params.scaleFloor * Math.sqrt(Math.max(0, (all[j] as number[])[j] as number)));
    return Math.max(s, 1e-9 * (1 + Math.abs(mu[j] as number)));
  });
  const corr = cov.map((r, i) => r.map((c, j) => c / ((scale[i] as number) * (scale[j] as number))));
  // a floored scale leaves a diagonal below 1; put the missing variance back so the model expects it
  for (let j = 0; j < p; j++) (corr[j] as number[])[j] = 1;
  const { values, vectors } = symmetricEigen(corr);
  const total = values.reduce((a, b) => a + Math.max(0, b), 0);
  let k = 0;
  let acc = 0;
  while (k < p - 1 && acc < params.variance * total) acc += Math.max(0, values[k++] as number);
  k = Math.max(1, k);
  const floor = 1e-6 * Math.max(total, 1e-12);
  const base = {
    sensors: [...sensors],
    mean: mu,
    scale,
    components: vectors.slice(0, k),
    eigenvalues: values.slice(0, k).map((l) => Math.max(l, floor)),
    inliers: inliers.length,
    trainRows: rows.length,
    smoothedLast: rows[rows.length - 1] as number[],
    t2Weight: params.t2Weight,
  };
  const raw = inliers.map((r) => scoreWith({ ...base, t2Unit: 1, speUnit: 1 }, r));
  const t2Unit = Math.max(median(raw.map((s) => s.t2)), 1e-9);
  const speUnit = Math.max(median(raw.map((s) => s.spe)), 1e-9);
  const scores = inliers.map((r) => scoreWith({ ...base, t2Unit, speUnit }, r).score);
  const threshold = params.factor * quantileOf(scores, params.quantile);
  return { ...base, t2Unit, speUnit, threshold };
}

/** T², SPE, the combined score and its per-sensor contributions for one smoothed row (see smoothRows). */
export function scoreT2Q(model: T2QModel, row: readonly number[]): T2QScore {
  return scoreWith(model, row);
}

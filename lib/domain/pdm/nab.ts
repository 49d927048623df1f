// The Numenta Anomaly Benchmark score of binary detections. Pure. The rules of NAB's scorer:
// - the first 15 % of a file (at most 750 rows) is probation: neither detections nor windows there count;
// - inside a label window a detection scores tpWeight · S(p) / S(−1), p = −(right − i + 1) / width
//   (−1 at the window start, 0 at its end), S(p) = 2 / (1 + e^{5p}) − 1; only the best (the first)
//   detection of a window counts;
// - outside, a detection scores fpWeight · S(|i − right of the last window| / (its width − 1)), or
//   −fpWeight before any window (S is −1 beyond 3 widths);
// - a window with no detection costs −fnWeight;
// - scores sum over files and are normalized: 100 · (S − S_null) / (S_perfect − S_null), where the
//   null detector detects nothing and the perfect one detects every window at its first row.

export interface Costs {
  tpWeight: number;
  fpWeight: number;
  fnWeight: number;
}

export const PROFILES: Record<"standard" | "reward_low_FP_rate" | "reward_low_FN_rate", Costs> = {
  standard: { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 },
  reward_low_FP_rate: { tpWeight: 1, fpWeight: 0.22, fnWeight: 1 },
  reward_low_FN_rate: { tpWeight: 1, fpWeight: 0.11, fnWeight: 2 },
};

export function scaledSigmoid(p: number): number {
  return p > 3 ? -1 : 2 / (1 + Math.exp(5 * p)) - 1;
}

export const probationLength = (rows: number) => Math.min(Math.floor(0.15 * rows), 750);

export interface NabFile {
  rows: number;
  /** Label windows as inclusive row-index ranges, sorted. */
  windows: readonly { left: number; right: number }[];
}

/** Raw score of one file: `detections` are the row indices where the detector fired. */
export function scoreFile(file: NabFile, detections: readonly number[], c: Costs): { score: number; tp: number; fp: number; fn: number } {
  const probation = probationLength(file.rows);
  const maxTp = scaledSigmoid(-1);
  const windows = file.windows.filter((w) => w.right >= probation);
  const best = new Map<number, number>();
  let fpScore = 0;
  let fp = 0;
  for (const i of [...new Set(detections)].sort((a, b) => a - b)) {
    if (i < probation || i >= file.rows) continue;
    const k = windows.findIndex((w) => i >= w.left && i <= w.right);
    if (k >= 0) {
      const w = windows[k] as { left: number; right: number };
      const s = (scaledSigmoid(-(w.right - i + 1) / (w.right - w.left + 1)) * c.tpWeight) / maxTp;
      best.set(k, Math.max(best.get(k) ?? Number.NEGATIVE_INFINITY, s));
      continue;
    }
    fp++;
    const prev = [...file.windows].reverse().find((w) => w.right < i);
    fpScore += (prev ? scaledSigmoid(Math.abs(i - prev.right) / (prev.right - prev.left)) : -1) * c.fpWeight;
  }
  const tpScore = [...best.values()].reduce((a, b) => a + b, 0);
  const fn = windows.length - best.size;
  return { score: tpScore + fpScore - fn * c.fnWeight, tp: best.size, fp, fn };
}

/** The normalized corpus score (0 = null detector, 100 = perfect) for one cost profile. */
export function normalizedScore(files: readonly { file: NabFile; detections: readonly number[] }[], c: Costs): number {
  let raw = 0;
  let nul = 0;
  let perfect = 0;
  for (const { file, detections } of files) {
    raw += scoreFile(file, detections, c).score;
    nul += scoreFile(file, [], c).score;
    const probation = probationLength(file.rows);
    perfect += scoreFile(
      file,
      file.windows.map((w) => Math.max(w.left, probation)),
      c,
    ).score;
  }
  return perfect === nul ? 0 : (100 * (raw - nul)) / (perfect - nul);
}

/** The raw corpus score as a function of the threshold, with the anchors that normalize it. */
export interface SweepCurve {
  /** Distinct anomaly scores, descending. */
  thresholds: Float64Array;
  /** raw[k]: the raw score when every row with a score ≥ thresholds[k] detects. */
  raw: Float64Array;
  /** Raw score when nothing detects (above every score). */
  none: number;
  nul: number;
  perfect: number;
}

/**
 * The raw corpus score for every distinct threshold (a row detects when its anomaly score ≥ the
 * threshold), in one sweep from the highest score down. A row's false-positive value does not depend
 * on the others; a window counts its best detection (the earliest: the sigmoid falls along the
 * window), so lowering the threshold only ever adds.
 */
export function sweepCurve(files: readonly { file: NabFile; scores: ArrayLike<number> }[], c: Costs): SweepCurve {
  const maxTp = scaledSigmoid(-1);
  const score: number[] = [];
  const win: number[] = [];
  const value: number[] = [];
  let windowCount = 0;
  let nul = 0;
  let perfect = 0;
  for (const { file, scores } of files) {
    const probation = probationLength(file.rows);
    const counted = file.windows.filter((w) => w.right >= probation);
    nul += scoreFile(file, [], c).score;
    perfect += scoreFile(
      file,
      file.windows.map((w) => Math.max(w.left, probation)),
      c,
    ).score;
    let prev: { left: number; right: number } | undefined;
    let k = 0;
    for (let i = probation; i < file.rows; i++) {
      while (k < file.windows.length && (file.windows[k] as { right: number }).right < i) prev = file.windows[k++];
      const w = file.windows[k];
      score.push(scores[i] as number);
      if (w && i >= w.left && i <= w.right) {
        win.push(windowCount + counted.indexOf(w));
        value.push((scaledSigmoid(-(w.right - i + 1) / (w.right - w.left + 1)) * c.tpWeight) / maxTp);
      } else {
        win.push(-1);
        value.push((prev ? scaledSigmoid(Math.abs(i - prev.right) / (prev.right - prev.left)) : -1) * c.fpWeight);
      }
    }
    windowCount += counted.length;
  }
  const order = Array.from(score.keys()).sort((a, b) => (score[b] as number) - (score[a] as number));
  const best = new Float64Array(windowCount).fill(Number.NaN);
  const none = -windowCount * c.fnWeight;
  let raw = none;
  const ts: number[] = [];
  const rs: number[] = [];
  for (let j = 0; j < order.length; ) {
    const s = score[order[j] as number] as number;
    for (; j < order.length && score[order[j] as number] === s; j++) {
      const p = order[j] as number;
      const w = win[p] as number;
      const v = value[p] as number;
      if (w < 0) raw += v;
      else {
        const b = best[w] as number;
        if (Number.isNaN(b)) {
          raw += c.fnWeight + v;
          best[w] = v;
        } else if (v > b) {
          raw += v - b;
          best[w] = v;
        }
      }
    }
    ts.push(s);
    rs.push(raw);
  }
  return { thresholds: Float64Array.from(ts), raw: Float64Array.from(rs), none, nul, perfect };
}

/** The raw score at a threshold, read off the curve. */
export function rawAt(curve: SweepCurve, threshold: number): number {
  // the last (lowest) distinct score still ≥ threshold
  let lo = 0;
  let hi = curve.thresholds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((curve.thresholds[mid] as number) >= threshold) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? curve.none : (curve.raw[lo - 1] as number);
}

export const normalize = (curve: SweepCurve, raw: number) => (curve.perfect === curve.nul ? 0 : (100 * (raw - curve.nul)) / (curve.perfect - curve.nul));

/** The global optimum over every threshold (NAB's optimiser, twiddleThreshold, may stop short of it). */
export function optimizeThreshold(curve: SweepCurve): { threshold: number; raw: number; normalized: number } {
  let top = { threshold: Number.POSITIVE_INFINITY, raw: curve.none };
  curve.raw.forEach((r, k) => {
    if (r > top.raw) top = { threshold: curve.thresholds[k] as number, raw: r };
  });
  return { ...top, normalized: normalize(curve, top.raw) };
}

/** A scoreboard figure: NAB's optimiser on the curve, normalized (what every published entry reports). */
export function scoreboardScore(curve: SweepCurve): { threshold: number; raw: number; normalized: number } {
  const t = twiddleThreshold((x) => rawAt(curve, x));
  return { threshold: t.threshold, raw: t.score, normalized: normalize(curve, t.score) };
}

/**
 * NAB's optimiser (nab/optimizer.py, "twiddle", as we read it): a local search for the threshold from
 * 0.5 in [0, 1], steps from 0.1 doubling on success and halving on failure down to 1e-7, clipped to
 * the domain. On the published scores it picks NAB's thresholds for HTM (0.5422, 0.5752) and reaches
 * the windowed Gaussian's score at 1.0. It is what every
 * scoreboard entry was scored with, so it is what makes a score comparable; it can miss the global
 * optimum that optimizeThreshold finds (HTM low-FP: 63.12 against 63.21).
 */
export function twiddleThreshold(objective: (threshold: number) => number, initial = 0.5, tolerance = 1e-7, domain: [number, number] = [0, 1]) {
  const past = new Map<number, number>();
  const f = (x: number) => {
    let v = past.get(x);
    if (v === undefined) {
      v = objective(x);
      past.set(x, v);
    }
    return v;
  };
  // the centre moves only to a better point; candidates are the centre ± delta, clipped to the domain
  let x = initial;
  let delta = 0.1;
  let best = f(x);
  const clip = (v: number) => Math.min(domain[1], Math.max(domain[0], v));
  while (delta > tolerance) {
    const up = clip(x + delta);
    if (f(up) > best) {
      [x, best] = [up, f(up)];
      delta *= 2;
      continue;
    }
    const down = clip(x - delta);
    if (f(down) > best) {
      [x, best] = [down, f(down)];
      delta *= 2;
      continue;
    }
    delta *= 0.5;
  }
  const bestX = x;
  return { threshold: bestX, score: best };
}

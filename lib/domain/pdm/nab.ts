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

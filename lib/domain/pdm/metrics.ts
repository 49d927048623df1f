// Point-wise outlier metrics as SKAB reports them: F1, false-alarm rate (FP / (FP + TN)) and
// missed-alarm rate (FN / (FN + TP)). Pure.
export function outlierMetrics(
  actual: readonly boolean[],
  predicted: readonly boolean[],
): { f1: number; far: number; mar: number; tp: number; fp: number; tn: number; fn: number } {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  actual.forEach((a, i) => {
    const p = predicted[i] ?? false;
    if (a && p) tp++;
    else if (!a && p) fp++;
    else if (!a && !p) tn++;
    else fn++;
  });
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  return {
    f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    far: fp + tn ? fp / (fp + tn) : 0,
    mar: fn + tp ? fn / (fn + tp) : 0,
    tp,
    fp,
    tn,
    fn,
  };
}

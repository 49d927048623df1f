// The multivariate detector (lib/domain/pdm/multivariate.ts) on synthetic correlated sensors with a
// known answer, and on SKAB when the shared datasets are there.

import { describe, expect, it } from "vitest";
import { fitT2Q, scoreT2Q, T2Q_V1 } from "#lib/domain/pdm/multivariate.ts";
import { T2QDetector, type T2QUpdate, topContributors } from "#lib/domain/pdm/multivariate-stream.ts";
import { robustInliers, smoothRows, symmetricEigen } from "#lib/domain/pdm/robust-stats.ts";
import { evaluateSkabT2Q } from "#lib/features/pdm/evaluate-skab.ts";
import { dataset } from "../support/datasets.ts";

/** A seeded PRNG (mulberry32) and standard normal draws from it (Box–Muller). */
function gaussian(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform() + 1e-12)) * Math.cos(2 * Math.PI * uniform());
}

const SENSORS = ["flow", "pressure", "current", "vibration", "temperature"];

/**
 * A pump: a slowly wandering load drives flow, pressure and current together; vibration and
 * temperature are independent noise around their levels. `broken(i)`: from then on pressure no
 * longer follows the load (a blocked line): it stays at its mean, inside its normal range.
 */
function pump(rows: number, seed: number, broken: (i: number) => boolean = () => false): number[][] {
  const n = gaussian(seed);
  let load = 0;
  return Array.from({ length: rows }, (_, i) => {
    load = 0.95 * load + 0.3 * n();
    const pressure = broken(i) ? 2 + 0.05 * n() : 2 + 0.5 * load + 0.05 * n();
    return [30 + 3 * load + 0.2 * n(), pressure, 5 + 0.8 * load + 0.05 * n(), 0.03 + 0.002 * n(), 60 + 0.3 * n()];
  });
}

const run = (rows: readonly number[][], d = new T2QDetector(SENSORS)): T2QUpdate[] => rows.map((r) => d.update(r));

describe("multivariate detector (T² + SPE on MEWMA-smoothed sensors)", () => {
  it("symmetricEigen: eigenvalues and eigenvectors of a known matrix", () => {
    const { values, vectors } = symmetricEigen([
      [2, 1, 0],
      [1, 2, 0],
      [0, 0, 5],
    ]);
    expect(values[0]).toBeCloseTo(5, 10);
    expect(values[1]).toBeCloseTo(3, 10);
    expect(values[2]).toBeCloseTo(1, 10);
    expect(Math.abs(vectors[1]?.[0] ?? 0)).toBeCloseTo(Math.SQRT1_2, 10);
    expect(vectors[1]?.[0]).toBeCloseTo(vectors[1]?.[1] ?? Number.NaN, 10);
  });

  it("is deterministic: the same rows give the same model and the same stream", () => {
    const rows = pump(1000, 7, (i) => i >= 700);
    const a = fitT2Q(rows.slice(0, 400), SENSORS);
    const b = fitT2Q(rows.slice(0, 400), SENSORS);
    expect(a).toEqual(b);
    expect(run(rows)).toEqual(run(rows));
  });

  it("normal rows after training raise no alert; a broken correlation inside the normal ranges does, about pressure", () => {
    // the break: pressure keeps its normal mean and a smaller scatter, so no univariate limit on it would trip
    const rows = pump(1400, 11, (i) => i >= 1000);
    const out = run(rows);
    expect(out.slice(0, 400).every((u) => !u.ready && !u.alert)).toBe(true);
    expect(out.slice(400, 1000).filter((u) => u.alert)).toHaveLength(0);
    const opened = out.findIndex((u, i) => i >= 1000 && u.event === "open");
    expect(opened).toBeGreaterThanOrEqual(1000);
    expect(opened).toBeLessThan(1100);
    expect(out.slice(1100).filter((u) => u.alert).length).toBeGreaterThan(250);
    const top = topContributors(out[opened]?.contributions ?? {}, 1)[0];
    expect(top?.sensor).toBe("pressure");
  });

  it("a level shift in one sensor is flagged and explained by that sensor; the alert clears once it is back", () => {
    const rows = pump(1500, 3).map((r, i) => (i >= 800 && i < 1100 ? r.map((x, j) => (j === 4 ? x + 2 : x)) : r));
    const out = run(rows);
    const opened = out.findIndex((u) => u.event === "open");
    expect(opened).toBeGreaterThanOrEqual(800);
    expect(opened).toBeLessThan(820);
    expect(topContributors(out[opened]?.contributions ?? {}, 1)[0]?.sensor).toBe("temperature");
    const cleared = out.findIndex((u, i) => i > opened && u.event === "clear");
    expect(cleared).toBeGreaterThan(1100);
    expect(cleared).toBeLessThan(1200);
    expect(out.slice(cleared).some((u) => u.alert)).toBe(false);
  });

  it("contributions sum to the score", () => {
    const rows = pump(600, 5);
    const model = fitT2Q(rows.slice(0, 400), SENSORS);
    const smoothed = smoothRows(rows, T2Q_V1.smoothing);
    for (const r of smoothed.slice(400, 600)) {
      const s = scoreT2Q(model, r);
      expect(s.contributions.reduce((a, b) => a + b, 0)).toBeCloseTo(s.score, 9);
    }
  });

  it("is causal: a row's output depends only on the rows up to it", () => {
    const rows = pump(900, 13);
    const other = rows.map((r, i) => (i >= 600 ? r.map((x) => x * 3) : r));
    expect(run(rows).slice(0, 600)).toEqual(run(other).slice(0, 600));
  });

  it("a detector given a fitted model continues exactly as the one that learned it while streaming", () => {
    const rows = pump(900, 17, (i) => i >= 650);
    const model = fitT2Q(rows.slice(0, 400), SENSORS);
    const restored = run(rows.slice(400), new T2QDetector(SENSORS, T2Q_V1, model));
    expect(restored).toEqual(run(rows).slice(400));
  });

  it("a detector restored from a snapshot (through JSON) continues exactly, during training and during an alert", () => {
    const rows = pump(1300, 29, (i) => i >= 900);
    const whole = run(rows);
    for (const cut of [250, 1000]) {
      const first = new T2QDetector(SENSORS);
      run(rows.slice(0, cut), first);
      const snap = JSON.parse(JSON.stringify(first.snapshot()));
      const rest = run(rows.slice(cut), T2QDetector.restore(snap));
      expect(rest).toEqual(whole.slice(cut));
    }
    expect(whole[999]?.alert).toBe(true);
  });

  it("robust training: outlier rows inside the training block are left out of the model", () => {
    // 60 of 400 training rows (15 %) with a broken pump: the trimmed fit rejects them
    const clean = pump(400, 19);
    const dirty = clean.map((r, i) => (i >= 200 && i < 260 ? r.map((x, j) => (j === 3 ? x + 0.05 : x)) : r));
    const smoothed = smoothRows(dirty, T2Q_V1.smoothing);
    const inliers = new Set(robustInliers(smoothed, T2Q_V1.trim, T2Q_V1.inlierQuantile));
    const kept = [...Array(60).keys()].filter((k) => inliers.has(205 + k)).length;
    expect(kept).toBeLessThanOrEqual(3);
    const model = fitT2Q(dirty, SENSORS);
    expect(model.mean[3]).toBeCloseTo(0.03, 3);
  });

  it("a value that is not a number leaves its sensor's smoothed value as it was", () => {
    const rows = pump(700, 23);
    const gap = rows.map((r, i) => (i === 500 ? [r[0] ?? 0, Number.NaN, r[2] ?? 0, r[3] ?? 0, r[4] ?? 0] : r));
    const out = run(gap);
    expect(out.every((u) => Number.isFinite(u.score))).toBe(true);
    expect(out.some((u) => u.alert)).toBe(false);
  });
});

describe("the multivariate detector on SKAB", () => {
  it("F1 ≥ 0.78 over every row (SKAB's convention), and ≥ 0.78 after the training rows too; the alerts name sensors", () => {
    const r = evaluateSkabT2Q(dataset("skab"));
    expect(r.files).toBe(34);
    expect(r.rows).toBe(37401);
    expect(r.f1).toBeGreaterThanOrEqual(0.78);
    expect(r.afterTraining.rows).toBe(23801);
    expect(r.afterTraining.f1).toBeGreaterThanOrEqual(0.78);
    for (const g of Object.values(r.groups)) expect(g.top.length).toBeGreaterThan(0);
  }, 60_000);
});

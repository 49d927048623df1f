// The shape view (lib/domain/pdm/discord.ts, shape.ts; `--detector shape`) on signals with a known
// answer: the streamed left matrix profile equals a brute-force one, a repeated shape is near its
// earlier copies and a new one is far, and the combined detector is deterministic, causal, in [0, 1],
// and scores a shape anomaly inside the usual range (which the level term cannot see) at least as
// high as novelty@v2 alone ("boost": the shape view only raises novelty's raw score; the rest that
// follows can then damp a later sample that it would not have damped).

import { describe, expect, it } from "vitest";
import { dominantPeriod, LeftDiscord } from "#lib/domain/pdm/discord.ts";
import { NoveltyDetector } from "#lib/domain/pdm/novelty.ts";
import { SHAPE_V1, SHAPE_V2, ShapeDetector } from "#lib/domain/pdm/shape.ts";

function noise(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

/** The nearest z-normalized distance (/√m), brute force, with the same σ floor. */
function bruteForce(xs: readonly number[], t: number, m: number, history: number, floor: number): number {
  const seen = xs.slice(0, t + 1);
  const range = Math.max(...seen) - Math.min(...seen);
  const z = (end: number) => {
    const a = xs.slice(end - m + 1, end + 1);
    const mu = a.reduce((p, q) => p + q, 0) / m;
    const sd = Math.sqrt(a.reduce((p, q) => p + (q - mu) ** 2, 0) / m);
    const f = Math.max(sd, floor * range, 1e-12);
    return a.map((v) => (v - mu) / f);
  };
  const a = z(t);
  let best = Number.POSITIVE_INFINITY;
  for (let lag = m; lag <= Math.min(history, t - m + 1); lag++) {
    const b = z(t - lag);
    best = Math.min(best, Math.sqrt(a.reduce((p, v, k) => p + (v - (b[k] as number)) ** 2, 0) / m));
  }
  return best;
}

/** A sine of period 50 with noise; from `from` on, one period runs at twice the speed (same values, new shape, no jump). */
function wave(n: number, from = Number.POSITIVE_INFINITY): number[] {
  const r = noise(3);
  return Array.from({ length: n }, (_, i) => {
    const phase = i >= from && i < from + 50 ? from + 2 * (i - from) : i;
    return 10 * Math.sin((2 * Math.PI * phase) / 50) + 0.2 * r();
  });
}

describe("left discord (streamed matrix profile)", () => {
  it("equals the brute-force nearest-neighbour distance, sample by sample, with a level step and a flat stretch", () => {
    const r = noise(7);
    const xs = Array.from({ length: 500 }, (_, i) => (i >= 200 && i < 260 ? 5 : Math.sin(i / 4) * 10 + r() + (i > 380 ? 40 : 0)));
    const p = { m: 12, history: 90, floor: 0.02 };
    const d = new LeftDiscord(p);
    xs.forEach((x, t) => {
      const got = d.push(x);
      if (t < 2 * p.m - 1) expect(got).toBeUndefined();
      else expect(got).toBeCloseTo(bruteForce(xs, t, p.m, p.history, p.floor), 5); // √ of rounding near 0
    });
  });

  it("a repeated shape is close to its earlier copies; the same values in a new order are far", () => {
    const xs = wave(1000, 800);
    const d = new LeftDiscord({ m: 16, history: 400, floor: 0.02 });
    const out = xs.map((x) => d.push(x) ?? 0);
    const normal = Math.max(...out.slice(200, 800));
    const anomaly = Math.max(...out.slice(800, 860));
    expect(normal).toBeLessThan(0.2);
    expect(anomaly).toBeGreaterThan(3 * normal);
  });
});

describe("dominant period (the subsequence length of novelty-shape@v2)", () => {
  it("finds the cycle when the learning period holds two of them, else falls back", () => {
    expect(dominantPeriod(wave(300), 300)).toBe(50);
    expect(dominantPeriod(wave(90), 300)).toBe(32); // fewer than two periods: the fallback
    expect(dominantPeriod(wave(300), 40)).toBe(32); // the cycle is longer than allowed
    const r = noise(5);
    expect(
      dominantPeriod(
        Array.from({ length: 600 }, () => r()),
        300,
      ),
    ).toBe(32);
  });
});

describe("novelty@v2 with a shape view", () => {
  const run = (xs: readonly number[], params = SHAPE_V1) => {
    const d = new ShapeDetector(params, 300);
    return xs.map((x, i) => d.update(i * 60_000, x));
  };
  const novelty = (xs: readonly number[]) => {
    const d = new NoveltyDetector(SHAPE_V1.novelty, 300);
    return xs.map((x, i) => d.update(i * 60_000, x));
  };

  it("is deterministic, causal and in [0, 1], 0 while learning", () => {
    const xs = wave(1500, 1100);
    const a = run(xs);
    expect(run(xs)).toEqual(a);
    expect(a.every((s) => s >= 0 && s <= 1)).toBe(true);
    expect(a.slice(0, 300).every((s) => s === 0)).toBe(true);
    expect(run(xs.slice(0, 1000))).toEqual(a.slice(0, 1000));
  });

  it("is novelty@v2 until the shape view is extreme, and higher there", () => {
    const xs = wave(1500, 1100);
    const both = run(xs);
    const alone = novelty(xs);
    const first = both.findIndex((s, i) => s !== alone[i]);
    expect(first).toBeGreaterThan(300);
    expect(both[first]).toBeGreaterThan(alone[first] as number);
  });

  it("with subsequences one period long (v2), scores a faster period inside the usual range above novelty@v2", () => {
    const xs = wave(1500, 1100);
    const peak = (s: readonly number[]) => Math.max(...s.slice(1100, 1160));
    expect(peak(run(xs, SHAPE_V2))).toBeGreaterThan(peak(novelty(xs)) + 0.05);
    expect(peak(run(xs, SHAPE_V1))).toBeLessThan(peak(run(xs, SHAPE_V2))); // 8 samples cannot tell a faster sine
  });

  it("v2 chooses its length when learning ends: the same scores whatever comes later", () => {
    const xs = wave(1500, 1100);
    expect(run(xs.slice(0, 700), SHAPE_V2)).toEqual(run(xs, SHAPE_V2).slice(0, 700));
  });
});

// The overfitting check's random neighbours (lib/domain/pdm/novelty-jitter.ts): deterministic per
// seed, different across draws, every parameter inside its documented range, and each neighbour a
// working detector.
import { describe, expect, it } from "vitest";
import { NOVELTY_V2, NoveltyDetector } from "#lib/domain/pdm/novelty.ts";
import { noveltyNeighbour, seededRandom } from "#lib/domain/pdm/novelty-jitter.ts";

const draws = (seed: number, n: number) => {
  const rand = seededRandom(seed);
  return Array.from({ length: n }, (_, k) => noveltyNeighbour(NOVELTY_V2, rand, `t${k}`));
};

describe("novelty neighbours", () => {
  it("the same seed gives the same neighbours, another seed others", () => {
    expect(draws(3, 5)).toEqual(draws(3, 5));
    expect(draws(4, 5)).not.toEqual(draws(3, 5));
    const [a, b] = draws(3, 2);
    expect(a).not.toEqual(b);
  });

  it("keeps every parameter inside its documented range around novelty@v2", () => {
    for (const p of draws(11, 200)) {
      expect(p.version.startsWith("novelty@v2~")).toBe(true);
      expect(p.views.length).toBeGreaterThanOrEqual(3);
      expect(p.views.length).toBeLessThanOrEqual(7);
      const radii = p.views.map((v) => v.radius);
      expect(Math.min(...radii)).toBeGreaterThanOrEqual(0.02 * 0.8 - 1e-12);
      expect(Math.max(...radii)).toBeLessThanOrEqual(0.045 * 1.25 + 1e-12);
      expect([...radii].sort((x, y) => x - y)).toEqual(radii);
      for (const v of p.views) {
        expect(v.segments).toEqual(NOVELTY_V2.views[0]?.segments);
        expect(v.weights[0]).toBeGreaterThanOrEqual(2);
        expect(v.weights[0]).toBeLessThanOrEqual(4);
        expect(v.weights.slice(1)).toEqual(NOVELTY_V2.views[0]?.weights.slice(1));
      }
      expect(p.restFraction).toBeGreaterThanOrEqual(0.4);
      expect(p.restFraction).toBeLessThanOrEqual(0.7);
      expect(p.restMargin).toBeGreaterThanOrEqual(0.06);
      expect(p.restMargin).toBeLessThanOrEqual(0.14);
      expect(p.restDamp).toBeGreaterThanOrEqual(0);
      expect(p.restDamp).toBeLessThanOrEqual(0.5);
      expect(p.logScale).toBeGreaterThanOrEqual(6);
      expect(p.logScale).toBeLessThanOrEqual(10);
      expect(p.gain).toBeGreaterThanOrEqual(2);
      expect(p.gain).toBeLessThanOrEqual(4);
      expect(p.memory).toBeGreaterThanOrEqual(2000);
      expect(p.memory).toBeLessThanOrEqual(8000);
      expect(p.outputExponent).toBe(NOVELTY_V2.outputExponent);
    }
  });

  it("spreads over its ranges (not stuck at one corner)", () => {
    const ps = draws(5, 200);
    const logScales = ps.map((p) => p.logScale);
    expect(Math.min(...logScales)).toBeLessThan(6.5);
    expect(Math.max(...logScales)).toBeGreaterThan(9.5);
    expect(new Set(ps.map((p) => p.views.length)).size).toBe(5);
  });

  it("each neighbour is a working detector: scores in [0, 1], a spike above the noise", () => {
    const [p] = draws(2, 1);
    if (!p) throw new Error("no draw");
    const rand = seededRandom(9);
    const x = Array.from({ length: 2500 }, (_, i) => 10 + 3 * Math.sin((2 * Math.PI * i) / 288) + rand());
    x[2000] = 30;
    const d = new NoveltyDetector(p, 300);
    const s = x.map((v, i) => d.update(i, v));
    for (const v of s) expect(v >= 0 && v <= 1).toBe(true);
    expect(s[2000]).toBeGreaterThan(Math.max(...s.slice(1500, 1990)));
  });

  it("refuses a parameter set without views", () => {
    expect(() => noveltyNeighbour({ ...NOVELTY_V2, views: [] }, seededRandom(1))).toThrow(/view/);
  });
});

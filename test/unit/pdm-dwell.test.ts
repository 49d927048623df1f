// novelty@v2 with a dwell channel (lib/domain/pdm/dwell.ts, `--detector dwell`) on signals with a known
// answer: the dwell novelty itself, deterministic, scores in [0, 1], causal, a flat stretch where the
// signal used to pass through and a missing daily plateau scored above novelty@v2 alone; and, when the
// NAB corpus is at hand, the whole corpus's figures as documented (docs/predictive-maintenance.md,
// "NAB: the dwell channel").

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DWELL_V1, DWELL_V2, Dwell, DwellDetector } from "#lib/domain/pdm/dwell.ts";
import { NoveltyDetector } from "#lib/domain/pdm/novelty.ts";
import { repoRoot } from "#lib/platform/config.ts";
import { dataset } from "../support/datasets.ts";

/** A deterministic daily-ish pattern: a low level with a high plateau for 100 of every 288 samples, plus noise. */
function daily(n: number, seed = 1): number[] {
  let s = seed;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  return Array.from({ length: n }, (_, i) => (i % 288 >= 150 && i % 288 < 250 ? 80 : 20) + 3 * rand());
}

const run = (values: readonly number[], learn = 600) => {
  const d = new DwellDetector(DWELL_V1, learn);
  return values.map((v, i) => d.update(i * 300_000, v));
};
const novelty = (values: readonly number[], learn = 600) => {
  const d = new NoveltyDetector(DWELL_V1.novelty, learn);
  return values.map((v, i) => d.update(i * 300_000, v));
};
const peak = (s: readonly number[], from: number, to: number) => Math.max(...s.slice(from, to));

describe("dwell channel", () => {
  it("ln(dwell / longest earlier dwell in the band), once beyond factor × that and minFraction × learn", () => {
    const d = new Dwell({ bins: 2, factor: 2, minFraction: 0.1, weight: 1 } as typeof DWELL_V1, 100);
    const out: number[] = [];
    for (let i = 0; i < 10; i++) out.push(d.update(0)); // band 0 (the range is 0), 10 in a row
    out.push(d.update(1)); // band 1; band 0's longest stay: 10
    for (let i = 0; i < 25; i++) out.push(d.update(0));
    expect(out.slice(0, 31).every((x) => x === 0)).toBe(true); // up to a stay of 20 = 2 × 10
    expect(out[31]).toBeCloseTo(Math.log(21 / 10), 12);
    expect(out[35]).toBeCloseTo(Math.log(25 / 10), 12);
  });
});

describe("dwell detector", () => {
  it("is deterministic and scores in [0, 1], 0 while learning; a missing value repeats the last one", () => {
    const x = daily(3000);
    const a = run(x);
    expect(run(x)).toEqual(a);
    for (const s of a) expect(s >= 0 && s <= 1).toBe(true);
    expect(a.slice(0, 600).every((s) => s === 0)).toBe(true);
    const y = [...x];
    y[900] = Number.NaN;
    x[900] = x[899] as number;
    expect(run(y)).toEqual(run(x));
  });

  it("is causal: appending samples does not change the earlier scores", () => {
    const x = daily(2500, 7);
    expect(run(x).slice(0, 1700)).toEqual(run(x.slice(0, 1700)));
  });

  it("scores a long flat stretch between the two levels and a missing plateau, where novelty@v2 alone has gone quiet", () => {
    // a flat stretch at 50, where the signal only ever passed through (art_daily_flatmiddle's kind): both
    // score its start; later in it only the dwell channel does
    const flat = daily(3000, 3);
    for (let i = 2116; i < 2476; i++) flat[i] = 50;
    const f = run(flat);
    expect(peak(f, 2260, 2476)).toBeGreaterThan(0.5);
    expect(peak(f, 2260, 2476)).toBeGreaterThan(peak(f, 1000, 2100));
    expect(peak(novelty(flat), 2260, 2476)).toBeLessThan(0.1);
    // a day without its plateau (art_daily_nojump's kind): the low level dwells for 476 samples, not 188
    const missing = daily(3000, 5);
    for (let i = 2166; i < 2266; i++) missing[i] = 20 + ((missing[i] as number) - 80);
    const m = run(missing);
    expect(peak(m, 2166, 2700)).toBeGreaterThan(peak(m, 1000, 2160));
    expect(peak(m, 2166, 2700)).toBeGreaterThan(peak(novelty(missing), 2166, 2700) + 0.3);
  });
});

describe("dwell detector v2 (a rest of 0.2 × learn)", () => {
  it("scores a second event 0.3 × learn after a first one in full, where v1's rest damps it", () => {
    const x = daily(3000, 9);
    x[1500] = 200;
    x[1680] = 300; // 180 samples later: inside v1's rest (0.5 × 600 = 300 samples), after v2's (120)
    const [v1, v2] = [DWELL_V1, DWELL_V2].map((p) => {
      const d = new DwellDetector(p, 600);
      return x.map((v, i) => d.update(i * 300_000, v));
    }) as [number[], number[]];
    expect(v2[1500]).toBe(v1[1500]); // the first event: no rest yet, the same score
    expect(v1[1500] as number).toBeGreaterThan(0.6);
    expect(v1[1680] as number).toBeLessThan(0.45); // damped (× 0.3 before the output map)
    expect(v2[1680] as number).toBeGreaterThan(0.6);
    expect(peak(v2, 601, 1499)).toBeLessThan(0.2); // nothing else before it
  });
});

describe("dwell detector on NAB", () => {
  const nab = dataset("nab");
  // the figures of docs/predictive-maintenance.md ("NAB: the dwell channel", "NAB: a shorter rest"): standard,
  // low FP, low FN, production standard on all 58 files
  const documented: [string, number[]][] = [
    ["dwell", [69.02, 60.54, 73.89, 69.11]],
    ["dwell2", [67.83, 55.75, 73.67, 68.06]],
  ];
  for (const [detector, figures] of documented) {
    it(`andon pdm evaluate --format nab --detector ${detector}: the figures as documented`, () => {
      const r = spawnSync(
        process.execPath,
        [join(repoRoot, "scripts", "andon.mjs"), "pdm", "evaluate", "--dataset", nab, "--format", "nab", "--detector", detector],
        { encoding: "utf8", timeout: 180_000 },
      );
      expect(r.status, r.stderr).toBe(0);
      const last = r.stdout.trim().split("\n").pop() ?? "";
      const m = /^nab standard=([\d.]+) low_fp=([\d.]+) low_fn=([\d.]+) production_standard=([\d.]+)$/.exec(last);
      expect(m, last).not.toBeNull();
      // the detector is deterministic (a margin for Math.log across engines)
      figures.forEach((f, k) => {
        expect(Number(m?.[k + 1])).toBeCloseTo(f, 1);
      });
    }, 200_000);
  }
});

// The bagged novelty detector (lib/domain/pdm/novelty-bag.ts) on signals with a known answer:
// deterministic, scores in [0, 1], causal, a spike and a level shift scored above noise, one member
// alone is novelty@v2's log tail, its state round-trips through JSON; and, when the NAB corpus is at
// hand, the whole corpus's figures as documented (docs/predictive-maintenance.md, "NAB: the bagged
// novelty detector").

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NOVELTY_V2, NoveltyDetector } from "#lib/domain/pdm/novelty.ts";
import { NOVELTY_BAG_V1, NoveltyBagDetector } from "#lib/domain/pdm/novelty-bag.ts";
import { repoRoot } from "#lib/platform/config.ts";
import { dataset } from "../support/datasets.ts";

/** A deterministic pseudo-random series: a daily-ish sine and uniform noise. */
function series(n: number, seed = 1): number[] {
  let s = seed;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  return Array.from({ length: n }, (_, i) => 10 + 3 * Math.sin((2 * Math.PI * i) / 288) + rand());
}

const run = (values: readonly number[], learn = 300, params = NOVELTY_BAG_V1) => {
  const d = new NoveltyBagDetector(params, learn);
  return values.map((v, i) => d.update(i * 300_000, v));
};

describe("bagged novelty detector", () => {
  it("is deterministic and scores in [0, 1], 0 while learning", () => {
    const x = series(3000);
    const a = run(x);
    expect(run(x)).toEqual(a);
    for (const s of a) expect(s >= 0 && s <= 1).toBe(true);
    expect(a.slice(0, 300).every((s) => s === 0)).toBe(true);
    expect(a.some((s) => s > 0)).toBe(true);
  });

  it("is causal: appending samples does not change the earlier scores", () => {
    const x = series(2500, 7);
    expect(run(x).slice(0, 1700)).toEqual(run(x.slice(0, 1700)));
  });

  it("scores a spike and a level shift above the noise around them", () => {
    const x = series(3000, 3);
    x[2000] = 25;
    for (let i = 2600; i < 3000; i++) x[i] = (x[i] as number) - 8;
    const s = run(x);
    const noise = Math.max(...s.slice(1500, 1990));
    expect(s[2000]).toBeGreaterThan(noise);
    expect(Math.max(...s.slice(2600, 2640))).toBeGreaterThan(noise);
  });

  it("a bag of novelty@v2 alone scores exactly like novelty@v2", () => {
    const x = series(2500, 5);
    x[1900] = 20;
    const alone = { ...NOVELTY_BAG_V1, version: "bag-of-one", members: [NOVELTY_V2] };
    const d = new NoveltyDetector(NOVELTY_V2, 300);
    expect(run(x, 300, alone)).toEqual(x.map((v, i) => d.update(i * 300_000, v)));
  });

  it("averages its members' log tails: the bag differs from each member run alone", () => {
    const x = series(2500, 9);
    x[2200] = 28;
    const bag = run(x);
    for (const m of NOVELTY_BAG_V1.members.slice(0, 2)) {
      const d = new NoveltyDetector(m, 300);
      expect(x.map((v, i) => d.update(i * 300_000, v))).not.toEqual(bag);
    }
  });

  it("continues from its saved state exactly", () => {
    const x = series(2500, 11);
    x[2100] = 30;
    const d = new NoveltyBagDetector(NOVELTY_BAG_V1, 300);
    const head = x.slice(0, 1200).map((v, i) => d.update(i * 300_000, v));
    const restored = NoveltyBagDetector.restore(NOVELTY_BAG_V1, JSON.parse(JSON.stringify(d.state())));
    const tailA = x.slice(1200).map((v, i) => d.update((1200 + i) * 300_000, v));
    const tailB = x.slice(1200).map((v, i) => restored.update((1200 + i) * 300_000, v));
    expect(tailB).toEqual(tailA);
    expect([...head, ...tailA]).toEqual(run(x));
  });

  it("refuses a state of another version", () => {
    const d = new NoveltyBagDetector(NOVELTY_BAG_V1, 10);
    expect(() => NoveltyBagDetector.restore({ ...NOVELTY_BAG_V1, version: "novelty-bag@x" }, d.state())).toThrow(/novelty-bag@v1/);
  });
});

describe("bagged novelty detector on NAB", () => {
  const nab = dataset("nab");
  it("andon pdm evaluate --format nab --detector bag: the whole corpus, the figures as documented", () => {
    const r = spawnSync(
      process.execPath,
      [join(repoRoot, "scripts", "andon.mjs"), "pdm", "evaluate", "--dataset", nab, "--format", "nab", "--detector", "bag"],
      { encoding: "utf8", timeout: 300_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const last = r.stdout.trim().split("\n").pop() ?? "";
    const m = /^nab standard=([\d.]+) low_fp=([\d.]+) low_fn=([\d.]+) production_standard=([\d.]+)$/.exec(last);
    expect(m, last).not.toBeNull();
    // the figures of docs/predictive-maintenance.md; the detector is deterministic (a margin for Math.log10 across engines)
    expect(Number(m?.[1])).toBeCloseTo(65.98, 1);
    expect(Number(m?.[2])).toBeCloseTo(58.39, 1);
    expect(Number(m?.[3])).toBeCloseTo(71.0, 1);
    expect(Number(m?.[4])).toBeCloseTo(66.13, 1);
  }, 320_000);
});

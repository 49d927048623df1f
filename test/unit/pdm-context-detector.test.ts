// The context ensemble (lib/domain/pdm/context.ts) and its context memory (context-memory.ts) on
// signals with a known answer: deterministic, scores in [0, 1], causal, a spike and a new pattern
// scored above noise, its state round-trips through JSON; and, when the NAB corpus is at hand, the
// whole corpus's figures as documented (docs/predictive-maintenance.md, "NAB: the context ensemble").

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CONTEXT_V1, ContextDetector } from "#lib/domain/pdm/context.ts";
import { ContextMemory } from "#lib/domain/pdm/context-memory.ts";
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

const run = (values: readonly number[], learn = 300) => {
  const d = new ContextDetector(CONTEXT_V1, learn);
  return values.map((v, i) => d.update(i * 300_000, v));
};

describe("context memory", () => {
  it("quantizes against the range seen before, with bins above and below it", () => {
    const m = new ContextMemory(8, 2, 1);
    expect(m.quantize(0, 0, 8)).toBe(0);
    expect(m.quantize(7.99, 0, 8)).toBe(7);
    expect(m.quantize(8, 0, 8)).toBe(7);
    expect(m.quantize(9, 0, 8)).toBe(8);
    expect(m.quantize(-1, 0, 8)).toBe(9);
    expect(m.quantize(5, 5, 5)).toBe(0);
  });

  it("a k-gram is new once: a repeating pattern stops being novel, a new transition is", () => {
    const m = new ContextMemory(4, 2, 1);
    const pattern = [0, 1, 2, 3];
    const out: (number | undefined)[] = [];
    for (let i = 0; i < 40; i++) out.push(m.update(pattern[i % 4] as number, 0, 4));
    expect(out.slice(0, 2)).toEqual([undefined, undefined]);
    expect(out.slice(20).every((v) => v === 0)).toBe(true);
    // 3 after 1 never happened: both its 1-gram context (…1 → 3) and 2-gram (0, 1 → 3) are new
    m.update(0, 0, 4);
    m.update(1, 0, 4);
    expect(m.update(3, 0, 4)).toBe(1);
  });
});

describe("context detector", () => {
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
    const whole = run(x);
    const prefix = run(x.slice(0, 1700));
    expect(whole.slice(0, 1700)).toEqual(prefix);
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

  it("a perfectly repeating signal scores 0 after learning", () => {
    const x = Array.from({ length: 2000 }, (_, i) => (Math.floor(i / 50) % 2 === 0 ? 1 : 5));
    expect(Math.max(...run(x).slice(400))).toBe(0);
  });

  it("continues from its saved state exactly", () => {
    const x = series(2500, 11);
    x[2100] = 30;
    const d = new ContextDetector(CONTEXT_V1, 300);
    const head = x.slice(0, 1200).map((v, i) => d.update(i, v));
    const saved = JSON.parse(JSON.stringify(d.state()));
    const restored = ContextDetector.restore(CONTEXT_V1, saved);
    expect(restored.sizes).toEqual(d.sizes);
    const tailA = x.slice(1200).map((v, i) => d.update(1200 + i, v));
    const tailB = x.slice(1200).map((v, i) => restored.update(1200 + i, v));
    expect(tailB).toEqual(tailA);
    expect([...head, ...tailA]).toEqual(run(x));
  });

  it("refuses a state of another version", () => {
    const d = new ContextDetector(CONTEXT_V1, 10);
    expect(() => ContextDetector.restore({ ...CONTEXT_V1, version: "context@x" }, d.state())).toThrow(/context@v1/);
  });
});

describe("context detector on NAB", () => {
  const nab = dataset("nab");
  it("andon pdm evaluate --format nab --detector context: the figures as documented, and the time it took printed", () => {
    const r = spawnSync(
      process.execPath,
      [join(repoRoot, "scripts", "andon.mjs"), "pdm", "evaluate", "--dataset", nab, "--format", "nab", "--detector", "context"],
      { encoding: "utf8", timeout: 180_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const last = r.stdout.trim().split("\n").pop() ?? "";
    const m = /^nab standard=([\d.]+) low_fp=([\d.]+) low_fn=([\d.]+) production_standard=([\d.]+)$/.exec(last);
    expect(m, last).not.toBeNull();
    // the figures of docs/predictive-maintenance.md; the detector is deterministic (a margin for Math.log10 across engines)
    expect(Number(m?.[1])).toBeCloseTo(64.61, 1);
    expect(Number(m?.[2])).toBeCloseTo(55.42, 1);
    expect(Number(m?.[3])).toBeCloseTo(69.79, 1);
    // the corpus's time is printed, not asserted (tests never assert wall-clock times; `andon bench` measures speed)
    console.log(/scored in [\d.]+ s/.exec(r.stdout)?.[0] ?? "no time printed");
  }, 200_000);
});

// The NAB scorer against hand-computed values and its own normalization anchors, SKAB's metrics,
// and the streaming detector on signals with a known answer.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DETECTOR_V1, DETECTOR_V2, DETECTOR_V3, DETECTOR_V4, RobustEwmaDetector } from "#lib/domain/pdm/detector.ts";
import { outlierMetrics } from "#lib/domain/pdm/metrics.ts";
import {
  normalizedScore,
  optimizeThreshold,
  PROFILES,
  probationLength,
  rawAt,
  scaledSigmoid,
  scoreFile,
  sweepCurve,
  twiddleThreshold,
} from "#lib/domain/pdm/nab.ts";
import { calibrateSkabSensors, calibrateSkabVote, evaluateSkab } from "#lib/features/pdm/evaluate-skab.ts";
import { repoRoot } from "#lib/platform/config.ts";
import { datasets } from "../support/datasets.ts";

const file = { rows: 2000, windows: [{ left: 500, right: 599 }] };

describe("NAB scoring", () => {
  it("scaled sigmoid: 0.98661 at the window start, 0 at its end, -1 far behind", () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(0.98661, 5);
    expect(scaledSigmoid(-0.5)).toBeCloseTo(0.84828, 5);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(3.01)).toBe(-1);
    expect(probationLength(2000)).toBe(300);
    expect(probationLength(10_000)).toBe(750);
  });

  it("scores a file by hand: a detection half-way into the window and a false positive after it", () => {
    // 0.84828 / 0.98661 = 0.85979 for the detection at 550; S(51/99) · 0.11 = −0.09444 for the one at 650
    const r = scoreFile(file, [550, 560, 650], PROFILES.standard);
    expect(r).toMatchObject({ tp: 1, fp: 1, fn: 0 });
    expect(r.score).toBeCloseTo(0.7653499, 6);
    expect(scoreFile(file, [650], PROFILES.reward_low_FP_rate).score).toBeCloseTo(-0.1888854 - 1, 6);
  });

  it("costs a missed window fnWeight, a false positive before any window fpWeight, and ignores probation", () => {
    expect(scoreFile(file, [], PROFILES.standard).score).toBe(-1);
    expect(scoreFile(file, [], PROFILES.reward_low_FN_rate).score).toBe(-2);
    expect(scoreFile(file, [400], PROFILES.standard).score).toBeCloseTo(-1 - 0.11, 9);
    expect(scoreFile(file, [10, 299], PROFILES.standard).score).toBe(-1);
  });

  it("normalizes: the null detector scores 0, detections at every window start 100, in every profile", () => {
    const files = [
      file,
      {
        rows: 4000,
        windows: [
          { left: 100, right: 399 },
          { left: 2000, right: 2199 },
        ],
      },
    ];
    for (const c of Object.values(PROFILES)) {
      expect(
        normalizedScore(
          files.map((f) => ({ file: f, detections: [] })),
          c,
        ),
      ).toBe(0);
      const starts = files.map((f) => ({ file: f, detections: f.windows.map((w) => Math.max(w.left, probationLength(f.rows))) }));
      expect(normalizedScore(starts, c)).toBeCloseTo(100, 9);
      // firing late in every window scores less than firing at its start, more than missing it
      const late = normalizedScore(
        files.map((f) => ({ file: f, detections: f.windows.map((w) => w.right - 5) })),
        c,
      );
      expect(late).toBeGreaterThan(0);
      expect(late).toBeLessThan(80);
    }
  });
});

describe("SKAB metrics", () => {
  it("F1, false-alarm and missed-alarm rates", () => {
    const actual = [false, false, true, true, true, false];
    const predicted = [false, true, true, true, false, false];
    const m = outlierMetrics(actual, predicted);
    expect(m).toMatchObject({ tp: 2, fp: 1, tn: 2, fn: 1 });
    expect(m.f1).toBeCloseTo(2 / 3, 9);
    expect(m.far).toBeCloseTo(1 / 3, 9);
    expect(m.mar).toBeCloseTo(1 / 3, 9);
  });
});

describe("streaming detector", () => {
  // deterministic noise in [-0.5, 0.5)
  const noise = (i: number) => ((Math.sin(i * 12.9898) * 43758.5453) % 1) - 0.5 * Math.sign(Math.sin(i * 12.9898));

  it("opens an alert a few samples after a level shift, not before, and clears after it ends", () => {
    const d = new RobustEwmaDetector();
    const events: { kind: string; index: number }[] = [];
    for (let i = 0; i < 2000; i++) {
      const shift = i >= 1000 && i < 1300 ? 5 : 0;
      const e = d.update(i * 1000, 10 + noise(i) + shift);
      if (e) events.push({ kind: e.kind, index: e.index });
    }
    expect(events[0]?.kind).toBe("open");
    expect(events[0]!.index).toBeGreaterThanOrEqual(1000 + DETECTOR_V1.persist - 1);
    expect(events[0]!.index).toBeLessThan(1010);
    expect(events.some((e) => e.kind === "clear" && e.index > 1300 && e.index < 1300 + 200)).toBe(true);
    expect(events.filter((e) => e.kind === "open")).toHaveLength(1);
  });

  it("does not cry wolf on one outlier, and learns nothing while the machine is stopped", () => {
    const d = new RobustEwmaDetector();
    let opened = 0;
    for (let i = 0; i < 1500; i++) {
      const spike = i === 900 ? 50 : 0;
      // stopped between 1000 and 1200 with a very different value: neither scored nor learned
      const stopped = i >= 1000 && i < 1200;
      if (d.update(i, stopped ? 0 : 10 + noise(i) + spike, !stopped)?.kind === "open") opened++;
    }
    expect(opened).toBe(0);
    expect(d.state.median).toBeGreaterThan(9);
  });
});

describe("NAB threshold sweep", () => {
  it("the swept curve equals scoring the detections at every threshold one by one", () => {
    const file = fc
      .tuple(fc.integer({ min: 40, max: 120 }), fc.array(fc.tuple(fc.nat({ max: 100 }), fc.integer({ min: 1, max: 15 })), { maxLength: 3 }))
      .map(([rows, ws]) => {
        const windows: { left: number; right: number }[] = [];
        for (const [a, len] of ws.sort((x, y) => x[0] - y[0])) {
          const left = Math.max(a % rows, (windows.at(-1)?.right ?? -2) + 2);
          if (left + len < rows) windows.push({ left, right: left + len });
        }
        return { rows, windows };
      });
    fc.assert(
      fc.property(
        fc
          .array(file, { minLength: 1, maxLength: 3 })
          .chain((files) =>
            fc.tuple(
              fc.constant(files),
              fc.tuple(...files.map((f) => fc.array(fc.constantFrom(0, 0.2, 0.5, 0.7, 1), { minLength: f.rows, maxLength: f.rows }))),
            ),
          ),
        fc.constantFrom(...(Object.keys(PROFILES) as (keyof typeof PROFILES)[])),
        ([files, scores], profile) => {
          const c = PROFILES[profile];
          const curve = sweepCurve(
            files.map((f, k) => ({ file: f, scores: scores[k] as number[] })),
            c,
          );
          for (const t of [1.1, 1, 0.7, 0.5, 0.2, 0]) {
            const direct = files.reduce((a, f, k) => {
              const d = (scores[k] as number[]).flatMap((v, i) => (v >= t ? [i] : []));
              return a + scoreFile(f, d, c).score;
            }, 0);
            expect(rawAt(curve, t)).toBeCloseTo(direct, 9);
          }
          expect(optimizeThreshold(curve).raw).toBeGreaterThanOrEqual(rawAt(curve, 0.5) - 1e-9);
        },
      ),
      { seed: 20261201, numRuns: 200 },
    );
  });

  it("twiddle climbs to a single peak and stays in [0, 1]", () => {
    expect(twiddleThreshold((x) => -((x - 0.8125) ** 2)).threshold).toBeCloseTo(0.8125, 5);
    expect(twiddleThreshold((x) => x).threshold).toBe(1);
    expect(twiddleThreshold((x) => -x).threshold).toBe(0);
  });
});

describe("andon pdm evaluate on the published datasets", () => {
  it("finds the datasets (set ANDON_DATASETS to their folder)", () => expect(datasets).toBeDefined());
  const cli = (format: string) =>
    spawnSync(process.execPath, [join(repoRoot, "scripts", "andon.mjs"), "pdm", "evaluate", "--dataset", join(datasets ?? "", format), "--format", format], {
      encoding: "utf8",
      timeout: 120_000,
    });

  it("NAB: the scorer's anchors hold on the real corpus, the industrial file is scored alone, the last line is exact", () => {
    const p = cli("nab");
    expect(p.status, p.stderr).toBe(0);
    const lines = p.stdout.trim().split("\n");
    expect(lines.filter((l) => /scorer check .*: null detector 0\.00, detections at every window start 100\.00$/.test(l))).toHaveLength(3);
    expect(p.stdout).toMatch(/machine_temperature_system_failure\.csv alone: standard=-?\d+\.\d\d/);
    expect(lines.at(-1)).toMatch(/^nab standard=-?\d+\.\d\d low_fp=-?\d+\.\d\d low_fn=-?\d+\.\d\d production_standard=-?\d+\.\d\d$/);
  });

  // NAB's own published per-row scores and scoreboard (nab/published): the scorer, with NAB's
  // threshold optimiser, must reproduce the scoreboard, or no figure of ours is comparable with it
  it.each([
    ["numenta", "HTM"],
    ["windowedGaussian", "windowed Gaussian"],
  ])("NAB --scores: %s (%s) reproduces the published scoreboard within 0.05", (detector) => {
    const nab = join(datasets ?? "", "nab");
    const p = spawnSync(
      process.execPath,
      [join(repoRoot, "scripts", "andon.mjs"), "pdm", "evaluate", "--dataset", nab, "--format", "nab", "--scores", join(nab, "published", detector)],
      { encoding: "utf8", timeout: 120_000 },
    );
    expect(p.status, p.stderr).toBe(0);
    const board = (JSON.parse(readFileSync(join(nab, "published", "final_results.json"), "utf8")) as Record<string, Record<string, number>>)[detector];
    const m = /^nab standard=(-?\d+\.\d\d) low_fp=(-?\d+\.\d\d) low_fn=(-?\d+\.\d\d)$/.exec(p.stdout.trim().split("\n").at(-1) ?? "");
    expect(m, p.stdout).not.toBeNull();
    expect(Math.abs(Number(m?.[1]) - (board?.standard ?? Number.NaN))).toBeLessThanOrEqual(0.05);
    expect(Math.abs(Number(m?.[2]) - (board?.reward_low_FP_rate ?? Number.NaN))).toBeLessThanOrEqual(0.05);
    expect(Math.abs(Number(m?.[3]) - (board?.reward_low_FN_rate ?? Number.NaN))).toBeLessThanOrEqual(0.05);
  });

  it("SKAB: the last line is exact", () => {
    const p = cli("skab");
    expect(p.status, p.stderr).toBe(0);
    expect(p.stdout.trim().split("\n").at(-1)).toMatch(/^skab f1=\d\.\d\d far=\d\.\d\d mar=\d\.\d\d$/);
  });

  it("SKAB --vote: k is chosen on the anomaly-free run alone, and voting flags fewer rows than any-sensor", () => {
    const dir = join(datasets ?? "", "skab");
    // v4 on the anomaly-free run: one sensor (Current) alarms on about half the rows, never two at once
    expect(calibrateSkabVote(dir, DETECTOR_V4)).toBe(2);
    const any = evaluateSkab(dir, DETECTOR_V4);
    const two = evaluateSkab(dir, DETECTOR_V4, undefined, 2);
    expect(two.rows).toBe(any.rows);
    expect(two.far).toBeLessThan(any.far);
    expect(two.mar).toBeGreaterThan(any.mar);
  });

  it("SKAB --quiet-sensors: the sensors are chosen on the anomaly-free run alone (v4 drops Current)", () => {
    const dir = join(datasets ?? "", "skab");
    const quiet = calibrateSkabSensors(dir, DETECTOR_V4);
    expect(quiet).toHaveLength(7);
    expect(quiet).not.toContain("Current");
    expect(evaluateSkab(dir, DETECTOR_V4, undefined, 1, quiet).far).toBeLessThan(evaluateSkab(dir, DETECTOR_V4).far);
  });
});

describe("detector snapshots", () => {
  it("a detector restored from a snapshot continues exactly as one that never stopped", () => {
    const signal = (i: number) => 5 + Math.sin(i / 7) * 0.3 + (i > 900 ? 3 : 0);
    const whole = new RobustEwmaDetector();
    const wholeEvents: string[] = [];
    for (let i = 0; i < 1200; i++) {
      const e = whole.update(i, signal(i));
      if (e) wholeEvents.push(`${e.kind}@${e.index}`);
    }
    let d = new RobustEwmaDetector();
    const parts: string[] = [];
    for (let i = 0; i < 1200; i++) {
      if (i % 137 === 0) d = RobustEwmaDetector.restore(DETECTOR_V1, JSON.parse(JSON.stringify(d.snapshot())));
      const e = d.update(i, signal(i));
      if (e) parts.push(`${e.kind}@${e.index}`);
    }
    expect(wholeEvents.length).toBeGreaterThan(0);
    expect(parts).toEqual(wholeEvents);
  });
});

describe("detector v3 deadband", () => {
  it("does not alarm on a smooth signal drifting 1 % (v2 does), but does on 10 %", () => {
    // a slow, smooth temperature: tiny robust scale
    const temp = (i: number, offset: number) => 45 + 0.02 * Math.sin(i / 50) + (i >= 600 ? offset : 0);
    const opens = (params: typeof DETECTOR_V3, offset: number) => {
      const d = new RobustEwmaDetector(params);
      let n = 0;
      for (let i = 0; i < 900; i++) if (d.update(i, temp(i, offset))?.kind === "open") n++;
      return n;
    };
    expect(opens(DETECTOR_V2, -0.45)).toBeGreaterThan(0);
    expect(opens(DETECTOR_V3, -0.45)).toBe(0);
    expect(opens(DETECTOR_V3, -4.5)).toBeGreaterThan(0);
  });
});

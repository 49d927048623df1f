// The OEE core against hand-computed cases (test/fixtures/oee/cases.json: data, not code), the
// worked example through `andon oee compute`, and roll-ups.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LossMappingSchema, parseOeeInput } from "#lib/contract/oee-input.ts";
import { computeOee, rollup } from "#lib/domain/oee/compute.ts";
import { DEFAULT_MAPPING } from "#lib/domain/oee/mapping.ts";
import { repoRoot } from "#lib/platform/config.ts";

interface Case {
  name: string;
  lines: unknown[];
  mapping?: unknown;
  expect: {
    mappingVersion?: string;
    elements?: Record<string, number>;
    kpis?: Record<string, number | null>;
    losses?: Record<string, number>;
    flags?: string[];
    flagsInclude?: string[];
  };
}

const fixtures = join(repoRoot, "test", "fixtures", "oee");
const cases = JSON.parse(readFileSync(join(fixtures, "cases.json"), "utf8")) as Case[];
const run = (lines: unknown[], mapping = DEFAULT_MAPPING) => computeOee(parseOeeInput(lines.map((l) => JSON.stringify(l)).join("\n"), mapping));

describe("OEE conformance cases", () => {
  it("has at least 30 hand-computed cases", () => expect(cases.length).toBeGreaterThanOrEqual(30));
  for (const c of cases) {
    it(c.name, () => {
      const r = run(c.lines, c.mapping ? LossMappingSchema.parse(c.mapping) : DEFAULT_MAPPING);
      if (c.expect.mappingVersion) expect(r.mappingVersion).toBe(c.expect.mappingVersion);
      for (const [k, v] of Object.entries(c.expect.elements ?? {})) expect(r.elements[k as keyof typeof r.elements], `elements.${k}`).toBeCloseTo(v, 6);
      for (const [k, v] of Object.entries(c.expect.losses ?? {})) expect(r.losses[k as keyof typeof r.losses], `losses.${k}`).toBeCloseTo(v, 6);
      for (const [k, v] of Object.entries(c.expect.kpis ?? {})) {
        const got = r.kpis[k as keyof typeof r.kpis];
        if (v === null) expect(got, `kpis.${k}`).toBeNull();
        else expect(got, `kpis.${k}`).toBeCloseTo(v, 6);
      }
      if (c.expect.flags) expect([...r.flags].sort()).toEqual([...c.expect.flags].sort());
      for (const f of c.expect.flagsInclude ?? []) expect(r.flags).toContain(f);
      // never NaN anywhere
      for (const v of [...Object.values(r.elements), ...Object.values(r.kpis), ...Object.values(r.losses)]) expect(Number.isNaN(v)).toBe(false);
    });
  }
});

describe("andon oee compute", () => {
  it("reproduces the worked example of domain.md exactly", () => {
    const p = spawnSync(process.execPath, [join(repoRoot, "scripts", "andon.mjs"), "oee", "compute", "--input", join(fixtures, "vorne.jsonl")], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(p.status, p.stderr).toBe(0);
    const r = JSON.parse(p.stdout);
    expect(r.elements).toMatchObject({ plannedBusyS: 25200, runS: 22380, total: 19271, good: 18848, breakdownS: 2820, plannedStopS: 3600 });
    expect(r.kpis.availability).toBeCloseTo(373 / 420, 10); // 88.81 %
    expect(r.kpis.performance).toBeCloseTo(19271 / 22380, 10); // 86.11 %
    expect(r.kpis.quality).toBeCloseTo(18848 / 19271, 10); // 97.80 %
    expect(r.kpis.oee).toBeCloseTo(18848 / 25200, 10); // 74.79 %
    expect(Math.round(r.kpis.oee * 10000) / 100).toBe(74.79);
    expect(r.mappingVersion).toBe("default@v1");
  });

  it("names the line of a bad input and exits 2", () => {
    const p = spawnSync(process.execPath, [join(repoRoot, "scripts", "andon.mjs"), "oee", "compute", "--input", "-"], {
      input: '{"type":"machine","idealCycleTimeS":1}\n{"type":"window","start":"2026-11-25T08:00:00Z","end":"yesterday"}\n',
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(p.status).toBe(2);
    expect(p.stderr).toMatch(/line 2: end: ts "yesterday" is not ISO 8601/);
  });
});

describe("roll-ups", () => {
  const W = { type: "window", start: "2026-11-25T08:00:00Z", end: "2026-11-25T09:00:00Z" };
  const running = { type: "state", ts: "2026-11-25T07:00:00Z", state: "running" };
  it("sum times and counts of machines with different ideal cycle times, never average ratios", () => {
    const a = run([{ type: "machine", idealCycleTimeS: 1 }, W, running, { type: "counts", ts: "2026-11-25T08:30:00Z", mode: "delta", total: 3000, reject: 0 }]);
    const b = run([
      { type: "machine", idealCycleTimeS: 2 },
      W,
      running,
      { type: "state", ts: "2026-11-25T08:00:00Z", state: "equipment_failure" },
      { type: "state", ts: "2026-11-25T08:30:00Z", state: "running" },
      { type: "counts", ts: "2026-11-25T08:45:00Z", mode: "delta", total: 500, reject: 100 },
    ]);
    const line = rollup([a, b]);
    // a: PBT 3600, run 3600, ideal 3000 s, good 3000; b: PBT 3600, run 1800, ideal 1000 s, good 400 -> 800 s
    expect(line.elements).toMatchObject({ plannedBusyS: 7200, runS: 5400, netRunS: 4000, fullyProductiveS: 3800, total: 3500, reject: 100 });
    expect(line.kpis.availability).toBeCloseTo(5400 / 7200, 10);
    expect(line.kpis.performance).toBeCloseTo(4000 / 5400, 10);
    expect(line.kpis.oee).toBeCloseTo(3800 / 7200, 10);
    // roll-up quality is weighted by ideal time (fully productive / net run): 3800/4000, not the
    // unit ratio 3400/3500 (units of different machines are not the same thing) nor (1 + 0.8) / 2
    expect(line.kpis.quality).toBeCloseTo(3800 / 4000, 10);
    expect(line.kpis.performance).not.toBeCloseTo((3000 / 3600 + 1000 / 1800) / 2, 3); // not the average of ratios
    expect(line.losses.productionRejectsS).toBe(200); // 100 rejects x 2 s
    expect(line.kpis.availability! * line.kpis.performance! * line.kpis.quality!).toBeCloseTo(line.kpis.oee!, 10);
  });
});

describe("the default loss mapping", () => {
  it("is the same in the demo plant's seed as in the calculator (both say default@v1)", async () => {
    const { readPlantFile } = await import("#lib/adapters/db/plant.ts");
    const { classify, STATE_CODES } = await import("#lib/domain/oee/mapping.ts");
    const seeded = readPlantFile(join(repoRoot, "prisma", "seed", "demo-plant.json")).lossMapping;
    expect([seeded.name, seeded.version, seeded.microStopThresholdS]).toEqual([
      DEFAULT_MAPPING.name,
      DEFAULT_MAPPING.version,
      DEFAULT_MAPPING.microStopThresholdS,
    ]);
    for (const [state, code] of Object.entries(STATE_CODES)) {
      expect(classify({ state }, seeded), state).toBe(classify({ state }, DEFAULT_MAPPING));
      expect(classify({ code: code + 5 }, seeded), `code ${code + 5}`).toBe(classify({ code: code + 5 }, DEFAULT_MAPPING));
    }
  });
});

describe("a machine whose data stopped", () => {
  // the simulator's presence (lib/features/sim/presence.ts) and the Sparkplug host's deaths say `unknown`
  // when a machine's data stops; 08:00–16:00, running, no data 10:00–13:00, 1 s a part
  const lines = (silence: boolean) => [
    { type: "machine", idealCycleTimeS: 1 },
    { type: "window", start: "2026-11-25T08:00:00Z", end: "2026-11-25T16:00:00Z" },
    { type: "state", ts: "2026-11-25T07:00:00Z", state: "running" },
    ...(silence
      ? [
          { type: "state", ts: "2026-11-25T10:00:00Z", state: "unknown", reason: "no data: the plant simulator stopped" },
          { type: "state", ts: "2026-11-25T13:00:00Z", state: "running" },
        ]
      : []),
    { type: "counts", ts: "2026-11-25T09:59:00Z", mode: "delta", total: 7000, reject: 0 },
    { type: "counts", ts: "2026-11-25T15:59:00Z", mode: "delta", total: 10_000, reject: 0 },
  ];

  it("counts the unknown hours as an unplanned stop, so performance is that of the hours it ran", () => {
    const r = run(lines(true));
    expect(r.elements.otherStopS).toBe(3 * 3600);
    expect(r.elements.runS).toBe(5 * 3600);
    expect(r.kpis.availability).toBeCloseTo(5 / 8, 10);
    expect(r.kpis.performance).toBeCloseTo(17_000 / 18_000, 10);
    // without the word, the last state lasts: "running" through the silence with nothing made
    const stale = run(lines(false));
    expect(stale.kpis.availability).toBe(1);
    expect(stale.kpis.performance).toBeCloseTo(17_000 / 28_800, 10);
  });
});

// The OEE calculator's input file (lib/contract/oee-input.ts): what contradicts itself or cannot be
// a time is refused with the line and the field, never computed (e.g. into a negative planned stop).
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OeeInputError, parseOeeInput } from "#lib/contract/oee-input.ts";
import { computeOee } from "#lib/domain/oee/compute.ts";
import { DEFAULT_MAPPING } from "#lib/domain/oee/mapping.ts";
import { repoRoot } from "#lib/platform/config.ts";

const machine = { type: "machine", idealCycleTimeS: 1 };
const window = { type: "window", start: "2026-11-25T08:00:00Z", end: "2026-11-25T09:00:00Z" };
const running = { type: "state", ts: "2026-11-25T08:00:00Z", state: "running" };
const shift = (o: object = {}) => ({ name: "early", weekdays: [1, 2, 3, 4, 5, 6, 7], start: "06:00", end: "14:00", breaks: [], ...o });
/** Lines as the file holds them: objects become JSON, strings are taken as they are. */
const file = (lines: (object | string)[]) => lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n");
const parse = (lines: (object | string)[]) => parseOeeInput(file(lines), DEFAULT_MAPPING);
const refusal = (lines: (object | string)[]): string => {
  try {
    parse(lines);
  } catch (e) {
    expect(e).toBeInstanceOf(OeeInputError);
    return (e as Error).message;
  }
  throw new Error("accepted");
};

describe("the OEE input file refuses what contradicts itself", () => {
  it.each<[string, (object | string)[], RegExp]>([
    [
      "an explicit planned time longer than the window",
      [machine, window, { type: "planned", plannedTimeS: 3601 }],
      /^line 3: plannedTimeS: 3601 s is longer than the window \(3600 s\)/,
    ],
    [
      "the same, the planned line before the window line",
      [machine, { type: "planned", plannedTimeS: 7200 }, window],
      /^line 2: plannedTimeS: 7200 s is longer/,
    ],
    ["a negative planned time", [machine, window, { type: "planned", plannedTimeS: -1 }], /^line 3: plannedTimeS: /],
    ["a window that ends before it starts", [machine, { ...window, end: "2026-11-25T07:00:00Z" }], /^line 2: end: the window must end after its start$/],
    ["an empty window", [machine, { ...window, end: window.start }], /^line 2: end: the window must end after its start$/],
    ["a window of eleven years", [machine, { ...window, end: "2037-11-25T08:00:00Z" }], /^line 2: end: the window is longer than 3660 days$/],
    [
      "a reason edit that ends before it starts",
      [machine, window, { type: "reason", start: "2026-11-25T08:30:00Z", end: "2026-11-25T08:10:00Z", reason: "x" }],
      /^line 3: end: a reason's interval must end after its start$/,
    ],
    [
      "a break that ends after its shift",
      [machine, window, { type: "calendar", timeZone: "UTC", shifts: [shift({ breaks: [{ startOffsetMin: 470, durationMin: 15 }] })] }],
      /^line 3: shifts\.0\.breaks\.0: the break ends 485 min after the start of shift "early", which lasts 480 min$/,
    ],
    [
      "a break of negative length",
      [machine, window, { type: "calendar", timeZone: "UTC", shifts: [shift({ breaks: [{ startOffsetMin: 10, durationMin: -5 }] })] }],
      /^line 3: shifts\.0\.breaks\.0\.durationMin: /,
    ],
    [
      "more rejects than parts in a delta",
      [machine, window, { type: "counts", ts: window.start, mode: "delta", total: 3, reject: 4 }],
      /^line 3: reject: 4 rejects in a delta of 3 parts$/,
    ],
    [
      "a cumulative sample above its counter_max",
      [machine, window, { type: "counts", ts: window.start, mode: "cumulative", total: 70_000, reject: 0, counter_max: 65_535 }],
      /^line 3: total: above counter_max 65535$/,
    ],
    ["negative counts", [machine, window, { type: "counts", ts: window.start, mode: "delta", total: -1 }], /^line 3: total: /],
    ["a second window", [machine, window, running, { ...window, start: "2026-11-25T08:30:00Z" }], /^line 4: a second window line: line 2 already gave one/],
    ["a second machine", [machine, window, { ...machine, idealCycleTimeS: 2 }], /^line 3: a second machine line: line 1 already gave one/],
    [
      "a calendar and an explicit planned time",
      [machine, window, { type: "calendar", timeZone: "UTC", shifts: [shift()] }, { type: "planned", plannedTimeS: 60 }],
      /^line 4: a second plan line \("calendar" or "planned"\): line 3 already gave one/,
    ],
    ["an ideal cycle time that overflows", [`{"type":"machine","idealCycleTimeS":1e999}`, window], /^line 1: idealCycleTimeS: /],
    ["a planned time that overflows", [machine, window, `{"type":"planned","plannedTimeS":1e999}`], /^line 3: plannedTimeS: /],
    ["a count that overflows", [machine, window, `{"type":"counts","ts":"2026-11-25T08:00:00Z","mode":"delta","total":1e999}`], /^line 3: total: /],
    ["a timestamp that overflows", [machine, window, `{"type":"state","ts":1e999,"state":"running"}`], /^line 3: ts: /],
    [
      "a timestamp one ms past what a Date holds",
      [machine, window, { type: "state", ts: 8.64e15 + 1, state: "running" }],
      /^line 3: ts: ts .* is not between 1970-01-01 and 2200-01-01 UTC/,
    ],
    [
      "a timestamp of 1e300 ms",
      [machine, window, { type: "counts", ts: 1e300, mode: "delta", total: 1 }],
      /^line 3: ts: ts .* is not between 1970-01-01 and 2200-01-01 UTC/,
    ],
    ["a window end past what a Date holds", [machine, { ...window, end: 1e20 }], /^line 2: end: ts .* is not between 1970-01-01 and 2200-01-01 UTC/],
    ["a negative timestamp", [machine, window, { type: "state", ts: -1, state: "running" }], /^line 3: ts: /],
  ])("%s", (_name, lines, want) => {
    expect(refusal(lines)).toMatch(want);
  });

  it("says so in a bounded message for hostile lines (huge strings, deep nesting, many issues)", () => {
    const hostile: (object | string)[] = [
      { type: "state", ts: "9".repeat(1_000_000) },
      `{"type":"state","ts":${"[".repeat(5000)}${"]".repeat(5000)}}`,
      `${"[".repeat(5000)}${"]".repeat(5000)}`,
      { type: "calendar", timeZone: "UTC", shifts: Array.from({ length: 10_000 }, () => ({ name: "", weekdays: [9], start: "x", end: "y" })) },
      { type: "reason", start: window.start, end: window.end, reason: "" },
      "{".repeat(100_000),
      { type: "x".repeat(100_000) },
    ];
    for (const h of hostile) {
      const m = refusal([machine, window, h]);
      expect(m).toMatch(/^line 3: /);
      expect(m.length).toBeLessThanOrEqual(1000);
    }
  });

  it("keeps what is not a contradiction: events before and after the window, a planned time equal to it, a break at the shift's end, overnight shifts", () => {
    const input = parse([
      machine,
      window,
      { type: "planned", plannedTimeS: 3600 },
      { type: "state", ts: "2026-11-25T07:00:00Z", state: "running" },
      { type: "state", ts: "2026-11-25T09:30:00Z", state: "idle" },
      { type: "counts", ts: "2026-11-25T07:59:00Z", mode: "cumulative", total: 10, reject: 0 },
      { type: "counts", ts: "2026-11-25T09:10:00Z", mode: "cumulative", total: 4000, reject: 0 },
    ]);
    expect(computeOee(input).elements.plannedStopS).toBe(0);
    const overnight = {
      type: "calendar",
      timeZone: "Europe/Berlin",
      shifts: [shift({ start: "22:00", end: "06:00", breaks: [{ startOffsetMin: 465, durationMin: 15 }] })],
    };
    expect(parse([machine, window, overnight]).plan.kind).toBe("calendar");
    const day = { type: "calendar", timeZone: "UTC", shifts: [shift({ start: "06:00", end: "06:00", breaks: [{ startOffsetMin: 1380, durationMin: 60 }] })] };
    expect(parse([machine, window, day]).plan.kind).toBe("calendar");
  });

  it("a planned time up to the window never makes a negative planned stop", () => {
    for (const plannedTimeS of [0, 1, 1800, 3599.5, 3600]) {
      const r = computeOee(parse([machine, window, running, { type: "planned", plannedTimeS }]));
      expect(r.elements.plannedStopS).toBeGreaterThanOrEqual(0);
      expect(r.elements.plannedStopS + r.elements.plannedBusyS).toBe(3600);
    }
  });

  it("andon oee compute refuses a contradicting file with the line and field, exit code 2 or 1, no output", () => {
    const dir = mkdtempSync(join(tmpdir(), "andon-oee-input-"));
    const f = join(dir, "bad.jsonl");
    writeFileSync(f, file([machine, window, { type: "planned", plannedTimeS: 7200 }]));
    const p = spawnSync(process.execPath, [join(repoRoot, "scripts", "andon.mjs"), "oee", "compute", "--input", f], { encoding: "utf8", timeout: 60_000 });
    expect(p.status).not.toBe(0);
    expect(p.stdout).toBe("");
    expect(p.stderr).toContain("line 3: plannedTimeS: 7200 s is longer than the window (3600 s)");
  });
});

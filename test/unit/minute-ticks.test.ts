// The ingest page's rate chart labels whole minutes only: with a label per 30 s bucket the axis
// printed the same HH:MM twice (seen on a first start).
import { describe, expect, it } from "vitest";
import { minuteTicks } from "../../app/components/minute-ticks.ts";

const buckets = (from: string, n: number) => Array.from({ length: n }, (_, i) => ({ t: new Date(Date.parse(from) + i * 30_000).toISOString() }));

describe("minuteTicks", () => {
  it("labels whole minutes, each HH:MM once, at most eight", () => {
    for (const n of [1, 2, 7, 16, 29, 30, 31, 60]) {
      for (const from of ["2026-12-06T10:36:00.000Z", "2026-12-06T10:36:30.000Z"]) {
        const ticks = minuteTicks(buckets(from, n));
        const labels = ticks.map((t) => t.slice(11, 16));
        expect(new Set(labels).size, `${n} from ${from}`).toBe(labels.length);
        expect(ticks.every((t) => t.endsWith(":00.000Z"))).toBe(true);
        expect(ticks.length).toBeLessThanOrEqual(8);
        // a quarter hour of buckets still gets a label every two minutes or so
        if (n >= 29) expect(ticks.length).toBeGreaterThanOrEqual(7);
      }
    }
  });

  it("keeps the spacing even: every n-th whole minute from the first", () => {
    const ticks = minuteTicks(buckets("2026-12-06T10:36:30.000Z", 30));
    expect(ticks.map((t) => t.slice(11, 16))).toEqual(["10:37", "10:39", "10:41", "10:43", "10:45", "10:47", "10:49", "10:51"]);
  });
});

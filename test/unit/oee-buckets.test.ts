// Bucket boundaries and which buckets a run computes: pure, clock passed in.
import { describe, expect, it } from "vitest";
import { bucketsEndingIn, bucketsOverlapping } from "#lib/domain/oee/buckets.ts";
import { clusters, scheduledSelect, touchedSelect } from "#lib/domain/oee/plan.ts";

const H = 3_600_000;
const at = (s: string) => Date.parse(s);
const iso = (ms: number) => new Date(ms).toISOString();
const berlin = { timeZone: "Europe/Berlin", shifts: [] };
const pune = { timeZone: "Asia/Kolkata", shifts: [] };
const monterrey = { timeZone: "America/Monterrey", shifts: [] };
const nightShift = {
  timeZone: "Europe/Berlin",
  shifts: [{ name: "night", weekdays: [1, 2, 3, 4, 5, 6, 7], start: "22:00", end: "06:00", breaks: [] }],
};

describe("OEE buckets", () => {
  it("minute and hour buckets are UTC-aligned and cover the range", () => {
    const b = bucketsOverlapping("hour", pune, at("2026-11-25T10:30:00Z"), at("2026-11-25T12:00:00Z"));
    expect(b.map((x) => iso(x.start))).toEqual(["2026-11-25T10:00:00.000Z", "2026-11-25T11:00:00.000Z"]);
    expect(bucketsOverlapping("minute", berlin, at("2026-11-25T10:00:30Z"), at("2026-11-25T10:02:00Z"))).toHaveLength(2);
  });

  it("days are local: Berlin's 25 h day on the October change, Pune's day starts at 18:30 UTC", () => {
    const [oct] = bucketsOverlapping("day", berlin, at("2026-10-25T12:00:00Z"), at("2026-10-25T12:00:01Z"));
    expect(oct).toEqual({ start: at("2026-10-24T22:00:00Z"), end: at("2026-10-25T23:00:00Z"), label: "2026-10-25" });
    expect(oct!.end - oct!.start).toBe(25 * H);
    const [mar] = bucketsOverlapping("day", berlin, at("2026-03-29T12:00:00Z"), at("2026-03-29T12:00:01Z"));
    expect(mar!.end - mar!.start).toBe(23 * H);
    const [p] = bucketsOverlapping("day", pune, at("2026-11-25T12:00:00Z"), at("2026-11-25T12:00:01Z"));
    expect(p).toEqual({ start: at("2026-11-24T18:30:00Z"), end: at("2026-11-25T18:30:00Z"), label: "2026-11-25" });
  });

  it("shift buckets are the calendar's instances, a night shift over the DST change lasts 9 h", () => {
    const s = bucketsOverlapping("shift", nightShift, at("2026-10-25T00:00:00Z"), at("2026-10-25T01:00:00Z"));
    expect(s).toEqual([{ start: at("2026-10-24T20:00:00Z"), end: at("2026-10-25T05:00:00Z"), label: "2026-10-24 night" }]);
    expect(bucketsOverlapping("shift", berlin, at("2026-10-25T00:00:00Z"), at("2026-10-26T00:00:00Z"))).toEqual([]);
  });

  it("bucketsEndingIn gives the buckets that closed in (from, to]", () => {
    const b = bucketsEndingIn("shift", nightShift, at("2026-11-25T04:58:00Z"), at("2026-11-25T05:05:00Z"));
    expect(b.map((x) => x.label)).toEqual(["2026-11-24 night"]);
    expect(bucketsEndingIn("shift", nightShift, at("2026-11-25T05:00:00Z"), at("2026-11-25T05:05:00Z"))).toEqual([]);
  });
});

describe("which buckets a run computes", () => {
  it("a local date closed at one site is computed at every site where it has closed, not where it is still open", () => {
    // 18:35 UTC: Pune has just closed 2026-11-25; Berlin and Monterrey have not
    const now = at("2026-11-25T18:35:00Z");
    const select = scheduledSelect("day", [berlin, pune, monterrey], now);
    expect(select(pune).map((b) => b.label)).toEqual(["2026-11-25"]);
    expect(select(berlin)).toEqual([]);
    // 06:05 UTC next day: Monterrey (UTC-6) closes 2026-11-25 last; every site recomputes that date
    const later = scheduledSelect("day", [berlin, pune, monterrey], at("2026-11-26T06:05:00Z"));
    for (const p of [berlin, pune, monterrey]) expect(later(p).map((b) => b.label)).toEqual(["2026-11-25"]);
  });

  it("late data touches only the closed buckets it falls in", () => {
    const touched = [{ start: at("2026-11-25T09:17:00Z"), end: at("2026-11-25T09:18:00Z") }];
    const now = at("2026-11-25T12:00:00Z");
    expect(touchedSelect("minute", [berlin], touched, now)(berlin).map((b) => iso(b.start))).toEqual(["2026-11-25T09:17:00.000Z"]);
    expect(touchedSelect("hour", [berlin], touched, now)(berlin).map((b) => iso(b.start))).toEqual(["2026-11-25T09:00:00.000Z"]);
    // the day has not closed yet: the scheduled run will compute it
    expect(touchedSelect("day", [berlin], touched, now)(berlin)).toEqual([]);
  });

  it("touched minutes far apart are loaded in separate clusters", () => {
    const t = (s: string) => ({ start: at(s), end: at(s) + 60_000 });
    const c = clusters([t("2026-11-20T10:00:00Z"), t("2026-11-25T10:00:00Z"), t("2026-11-20T11:00:00Z")]);
    expect(c.map((x) => x.length)).toEqual([2, 1]);
  });
});

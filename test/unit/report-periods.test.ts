// The periods a shift report can cover: shifts and local days of the last week, newest first, and
// which one a link (or no choice) picks.
import { describe, expect, it } from "vitest";
import { pickPeriod, reportPeriods } from "#lib/domain/oee/report-periods.ts";

const twoShifts = {
  timeZone: "America/Monterrey",
  shifts: [
    { name: "first", weekdays: [1, 2, 3, 4, 5, 6], start: "07:00", end: "15:00", breaks: [] },
    { name: "second", weekdays: [1, 2, 3, 4, 5, 6], start: "15:00", end: "23:00", breaks: [] },
  ],
};
// Thursday 2026-12-03 10:30 in Monterrey (UTC−6): the first shift is running
const now = Date.parse("2026-12-03T16:30:00Z");

describe("report periods", () => {
  const periods = reportPeriods(twoShifts, now);

  it("lists the shifts and local days that started in the last 7 days, newest first, the running one marked", () => {
    expect(periods[0]).toEqual({
      kind: "shift",
      id: "2026-12-03T13:00:00.000Z",
      label: "2026-12-03 first",
      start: Date.parse("2026-12-03T13:00:00Z"),
      end: Date.parse("2026-12-03T21:00:00Z"),
      complete: false,
    });
    // the local day started at 00:00 Monterrey (06:00 UTC), before the shift
    expect(periods[1]).toMatchObject({ kind: "day", id: "2026-12-03", complete: false, start: Date.parse("2026-12-03T06:00:00Z") });
    expect(periods.every((p, i) => i === 0 || (periods[i - 1] as { start: number }).start >= p.start)).toBe(true);
    expect(periods.every((p) => p.start >= now - 7 * 86_400_000 && p.start <= now)).toBe(true);
    // Sunday 2026-11-29 has no shift (Mon–Sat) but is a day
    expect(periods.filter((p) => p.label.startsWith("2026-11-29")).map((p) => p.kind)).toEqual(["day"]);
    // from Thu 26 Nov 10:30: the days 27 Nov–3 Dec; the shifts: Thu's second, two each Fri, Sat, Mon, Tue, Wed, Thu's first
    expect(periods.filter((p) => p.kind === "day").map((p) => p.id)).toEqual([
      "2026-12-03",
      "2026-12-02",
      "2026-12-01",
      "2026-11-30",
      "2026-11-29",
      "2026-11-28",
      "2026-11-27",
    ]);
    expect(periods.filter((p) => p.kind === "shift").length).toBe(12);
  });

  it("picks the last complete shift by default, a shift by its start instant, a day by its local date", () => {
    expect(pickPeriod(periods, {})).toMatchObject({ kind: "shift", label: "2026-12-02 second", complete: true });
    expect(pickPeriod(periods, { shift: "2026-12-02T13:00:00Z" })).toMatchObject({ label: "2026-12-02 first" });
    expect(pickPeriod(periods, { shift: "2026-12-02T07:00:00-06:00" })).toMatchObject({ label: "2026-12-02 first" });
    expect(pickPeriod(periods, { day: "2026-12-01" })).toMatchObject({ kind: "day", start: Date.parse("2026-12-01T06:00:00Z"), complete: true });
    expect(pickPeriod(periods, { shift: "2026-12-02T13:01:00Z" })).toBeUndefined();
    expect(pickPeriod(periods, { day: "2020-01-01" })).toBeUndefined();
  });

  it("without a shift calendar the default is the last complete local day", () => {
    const days = reportPeriods({ timeZone: "Europe/Berlin", shifts: [] }, now);
    expect(days.every((p) => p.kind === "day")).toBe(true);
    expect(pickPeriod(days, {})).toMatchObject({ kind: "day", id: "2026-12-02", start: Date.parse("2026-12-01T23:00:00Z") });
  });
});

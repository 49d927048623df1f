// The plan of a scheduled "closed" run: what it computes after the cursor, oldest first, in bounded pieces.
import { describe, expect, it } from "vitest";
import { CATCH_UP, closedRunPieces, SCHEDULES } from "#lib/domain/oee/plan.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;
const now = Date.parse("2026-12-04T10:00:00Z");

describe("closedRunPieces", () => {
  it("without a cursor (a first start) computes the scheduled look-back only", () => {
    expect(closedRunPieces("minute", undefined, now)).toEqual([{ start: now - SCHEDULES.minute.closedWithinMs, end: now }]);
  });

  it("with a recent cursor computes the look-back, which covers it", () => {
    expect(closedRunPieces("hour", now - 5 * MIN, now)).toEqual([{ start: now - SCHEDULES.hour.closedWithinMs, end: now }]);
  });

  it("after downtime goes back to the cursor, oldest first, in pieces that join without gaps", () => {
    const pieces = closedRunPieces("minute", now - 15 * HOUR, now);
    expect(pieces.map((p) => (p.end - p.start) / HOUR)).toEqual([6, 6, 3]);
    expect(pieces[0]!.start).toBe(now - 15 * HOUR);
    for (let i = 1; i < pieces.length; i++) expect(pieces[i]!.start).toBe(pieces[i - 1]!.end);
    expect(pieces.at(-1)!.end).toBe(now);
  });

  it("plans a long outage whole, oldest first (the run's time budget decides how much of it one run does)", () => {
    const pieces = closedRunPieces("day", now - 3 * 24 * HOUR, now);
    expect(pieces).toHaveLength(12);
    expect(pieces[0]).toEqual({ start: now - 72 * HOUR, end: now - 66 * HOUR });
    // the next run starts where the cursor got to
    expect(closedRunPieces("day", now - 60 * HOUR, now + MIN)[0]!.start).toBe(now - 60 * HOUR);
  });

  it("gives up buckets older than the raw data's retention", () => {
    const pieces = closedRunPieces("hour", now - 90 * 24 * HOUR, now);
    expect(pieces[0]!.start).toBe(now - CATCH_UP.maxBackMs);
    expect(pieces.at(-1)!.end).toBe(now);
  });
});

// The plan of a scheduled "closed" run: what it computes after the cursor, oldest first, in bounded pieces.
import { describe, expect, it } from "vitest";
import { CATCH_UP, closedHorizon, closedRunPieces, pieces, reachOf, SCHEDULES } from "#lib/domain/oee/plan.ts";

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

describe("closedHorizon", () => {
  it("minutes run up to now; hours, shifts and days wait until the minute runs have computed their minutes for the last time", () => {
    expect(closedHorizon("minute", now, now - 3 * HOUR)).toBe(now);
    expect(closedHorizon("shift", now, now)).toBe(now - SCHEDULES.minute.closedWithinMs);
    expect(closedHorizon("hour", now, undefined)).toBe(now - SCHEDULES.minute.closedWithinMs);
    // the minute job is catching up: the others do not pass it
    expect(closedHorizon("day", now, now - 2 * HOUR)).toBe(now - 2 * HOUR - SCHEDULES.minute.closedWithinMs);
  });
});

describe("reachOf", () => {
  const o = { backMs: 2 * MIN, thresholdMs: 2 * MIN, startupMs: 5 * MIN, now };
  const t = { start: now - 60 * MIN, end: now - 59 * MIN };
  it("reaches back by the micro-stop threshold and forward to the next state change plus the startup window and threshold", () => {
    expect(reachOf(t, { stateChange: now - 30 * MIN, countSample: now - 58 * MIN }, o)).toEqual({ start: now - 62 * MIN, end: now - 25 * MIN + 1 });
  });
  it("to the next count sample when that is later (its increase is counted from the sample inside)", () => {
    expect(reachOf(t, { stateChange: now - 58 * MIN, countSample: now - 40 * MIN }, o).end).toBe(now - 40 * MIN + 1);
  });
  it("up to now when the state has not changed since, or is not known", () => {
    expect(reachOf(t, { stateChange: null, countSample: undefined }, o).end).toBe(now);
    expect(reachOf(t, { stateChange: undefined, countSample: undefined }, o).end).toBe(now);
  });
});

describe("pieces", () => {
  it("cuts long spans into pieces of at most 6 h that join", () => {
    expect(pieces([{ start: 0, end: 13 * HOUR }]).map((p) => [p.start / HOUR, p.end / HOUR])).toEqual([
      [0, 6],
      [6, 12],
      [12, 13],
    ]);
  });
});

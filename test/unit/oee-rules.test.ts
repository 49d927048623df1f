// The small pure OEE rules moved out of the features: late data, read chunks, reason-edit checks.
import { describe, expect, it } from "vitest";
import { isLate, LATE_AFTER_MICROS, lateMarkMicros, lateScanFrom, markedMinute } from "#lib/domain/oee/late.ts";
import { chunks, dedupeCounts } from "#lib/domain/oee/read-chunks.ts";
import { intervalProblem, producing, REASON_MAX_AGE_MS } from "#lib/domain/oee/reason-rules.ts";

const T = Date.parse("2026-11-25T08:00:00Z");

describe("late data", () => {
  it("only state and counts older than a minute are late", () => {
    const now = T * 1000;
    expect(isLate("state", now - LATE_AFTER_MICROS - 1, now)).toBe(true);
    expect(isLate("counts", now - LATE_AFTER_MICROS - 1, now)).toBe(true);
    expect(isLate("state", now - LATE_AFTER_MICROS, now)).toBe(false);
    expect(isLate("vibration", now - 10 * LATE_AFTER_MICROS, now)).toBe(false);
  });

  it("a mark is its event's minute, and makes that whole minute dirty", () => {
    expect(lateMarkMicros((T + 59_999) * 1000)).toBe(T * 1000);
    expect(markedMinute(T)).toEqual({ start: T, end: T + 60_000 });
  });

  it("a scan reads from two minutes before its watermark, or twelve minutes back without one", () => {
    expect(lateScanFrom(T, T + 60_000)).toBe(T - 120_000);
    expect(lateScanFrom(undefined, T)).toBe(T - 12 * 60_000);
  });
});

describe("read chunks", () => {
  it("cut at every boundary inside the range and into `parallelism` pieces", () => {
    expect(chunks(0, 100, [0, 30, 100, 200], 2)).toEqual([
      { start: 0, end: 30 },
      { start: 30, end: 50 },
      { start: 50, end: 100 },
    ]);
  });

  it("one copy of each count sample, a synthetic sample kept before its decrease", () => {
    const a = { ts: 1, mode: "cumulative" as const, total: 10, reject: 0 };
    const b = { ts: 1, mode: "cumulative" as const, total: 2, reject: 0 };
    expect(dedupeCounts([b, a, { ...a }])).toEqual([b, a]);
  });
});

describe("reason edits", () => {
  it("an interval that ended, in order, and at most 30 days old", () => {
    expect(intervalProblem(T, T + 1, T + 1)).toBeUndefined();
    expect(intervalProblem(T, T, T + 1)).toBe("end must be after start");
    expect(intervalProblem(T, T + 2, T + 1)).toBe("the interval ends in the future");
    expect(intervalProblem(T - REASON_MAX_AGE_MS - 1, T, T)).toBe("the interval starts more than 30 days ago");
  });

  it("production cannot get a downtime reason", () => {
    const stop = { start: 0, end: 1, loss: "BREAKDOWN" as const };
    const run = { start: 1, end: 2, loss: "REDUCED_SPEED" as const };
    expect(producing([stop])).toBeUndefined();
    expect(producing([stop, run])).toBe(run);
  });
});

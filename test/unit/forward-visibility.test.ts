// The forwarder's applied horizon (lib/features/forward/visibility.ts): up to when every committed
// QuestDB row is visible, from readings of the table's sequencer and writer transactions.
import { describe, expect, it } from "vitest";
import { AppliedHorizon } from "#lib/features/forward/visibility.ts";

describe("applied horizon", () => {
  it("a quiet table (all applied) is visible up to each reading", () => {
    const h = new AppliedHorizon();
    expect(h.observe(1000, 5, 5)).toBe(1000);
    expect(h.observe(2000, 5, 5)).toBe(2000);
  });

  it("under load, a reading counts once the writer has applied the transactions committed before it", () => {
    const h = new AppliedHorizon();
    expect(h.observe(1000, 5, 5)).toBe(1000);
    // txns 6..8 committed, not applied: nothing after 1000 is known to be visible
    expect(h.observe(2000, 5, 8)).toBe(1000);
    expect(h.observe(3000, 7, 10)).toBe(1000);
    // 8 applied: everything committed before 2000 is visible, not yet what came before 3000
    expect(h.observe(4000, 8, 12)).toBe(2000);
    expect(h.observe(5000, 12, 12)).toBe(5000);
  });

  it("a stuck table (suspended) holds the horizon, with bounded memory, and moves on once applied", () => {
    const h = new AppliedHorizon();
    h.observe(0, 1, 1);
    for (let t = 1; t <= 10_000; t++) expect(h.observe(t * 1000, 1, 2)).toBe(0);
    expect(h.observe(10_001_000, 2, 2)).toBe(10_001_000);
  });

  it("before any reading nothing is known to be visible", () => {
    expect(new AppliedHorizon().horizon).toBe(Number.NEGATIVE_INFINITY);
    expect(new AppliedHorizon().observe(1000, 0, 3)).toBe(Number.NEGATIVE_INFINITY);
  });
});

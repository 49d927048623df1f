// Hostile payloads through a real broker into a real ingest worker process and QuestDB (a smaller run
// of `andon bench fuzz`): no payload stops the worker, every hostile one is dead-lettered with a
// reason, every valid one mixed in is stored, nothing is lost.
import { describe, expect, inject, it } from "vitest";
import { fuzzLine, runFuzz } from "#lib/dev/bench/fuzz-bench.ts";

const env = inject("stack");
const seed = Number(process.env.ANDON_FUZZ_SEED ?? 20261201);

describe("hostile payloads (fuzz)", () => {
  it("never crash the worker, and each lands where the contract says", { timeout: 300_000 }, async () => {
    const r = await runFuzz({ env, payloads: 1500, seed, say: () => undefined });
    console.log(`${fuzzLine(r)} (seed ${seed}; ANDON_FUZZ_SEED=${seed} repeats it)`);
    // every family of hostile input was in the run
    for (const f of [
      "timestamp",
      "deep-nesting",
      "long-string",
      "binary",
      "invalid-utf8",
      "empty",
      "wrong-type-or-range",
      "proto-only",
      "contradiction",
      "odd-topic",
    ]) {
      expect(r.families[f]?.n ?? 0, f).toBeGreaterThan(0);
    }
    expect(r.crashes).toBe(0);
    expect(r.internalErrors).toBe(0);
    expect(r.lost).toBe(0);
    expect(r.misplaced).toBe(0);
    expect(r.withoutReason).toBe(0);
    expect(r.deadLettered + r.validStored).toBe(r.payloads);
    expect(r.validStored).toBe((r.families.valid?.n ?? 0) + (r.families["valid-proto-keys"]?.n ?? 0));
  });
});

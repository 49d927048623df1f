// writeIsolating: refused items are found by halving and returned with the refusal's message, every
// other item is written; an error that can pass (QuestDB down) is thrown for the caller to retry.
import { describe, expect, it } from "vitest";
import { writeIsolating } from "#lib/adapters/questdb/isolate.ts";
import { RowsRefusedError } from "#lib/adapters/questdb/writer.ts";

/** A writer that refuses any part holding one of `bad`, and records what it wrote. */
function refusing(bad: number[]) {
  const written: number[] = [];
  let writes = 0;
  const write = async (part: readonly number[]) => {
    writes++;
    const hit = part.find((x) => bad.includes(x));
    if (hit !== undefined) throw new RowsRefusedError(`statusCode=400, error=item ${hit}`);
    written.push(...part);
  };
  return { write, written, writes: () => writes };
}

describe("writeIsolating", () => {
  it("writes everything in one call when nothing is refused", async () => {
    const w = refusing([]);
    expect(await writeIsolating([1, 2, 3], w.write)).toEqual([]);
    expect(w.written).toEqual([1, 2, 3]);
    expect(w.writes()).toBe(1);
  });

  it("returns each refused item alone with its reason and writes all the others", async () => {
    const items = Array.from({ length: 64 }, (_, i) => i);
    const w = refusing([5, 40]);
    const refused = await writeIsolating(items, w.write);
    expect(refused).toEqual([
      { item: 5, reason: "statusCode=400, error=item 5" },
      { item: 40, reason: "statusCode=400, error=item 40" },
    ]);
    expect(w.written.sort((a, b) => a - b)).toEqual(items.filter((x) => x !== 5 && x !== 40));
    // by halving: about 2·log2(64) writes per refused item, not one per item
    expect(w.writes()).toBeLessThanOrEqual(1 + 2 * 2 * Math.log2(64));
  });

  it("throws an error that can pass as it is, without splitting", async () => {
    let writes = 0;
    const down = async () => {
      writes++;
      throw new Error("connect ECONNREFUSED 127.0.0.1:9000");
    };
    await expect(writeIsolating([1, 2, 3, 4], down)).rejects.toThrow(/ECONNREFUSED/);
    expect(writes).toBe(1);
  });

  it("an error that can pass while halving is thrown too (the caller retries the whole)", async () => {
    let calls = 0;
    const flaky = async (part: readonly number[]) => {
      calls++;
      if (calls === 1) throw new RowsRefusedError("statusCode=413");
      if (part.includes(3)) throw new Error("QuestDB write: no answer within 10000 ms");
    };
    await expect(writeIsolating([1, 2, 3, 4], flaky)).rejects.toThrow(/no answer/);
  });
});

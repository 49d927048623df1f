// The dashboard's shared answers (lib/web/shared-read.ts): one computation per key and lifetime,
// callers coalesced, an expired answer given while its successor is computed, failures not kept.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { forgetShared, sharedJson, sharedValue } from "../../lib/web/shared-read.ts";

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

let n = 0;
const key = () => `test:${n}`;

describe("shared answers", () => {
  beforeEach(() => {
    n++;
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => vi.useRealTimers());

  it("computes once for concurrent callers and within the lifetime", async () => {
    const d = deferred<number>();
    const compute = vi.fn(() => d.promise);
    const a = sharedValue(key(), 2000, compute);
    const b = sharedValue(key(), 2000, compute);
    d.resolve(7);
    expect(await Promise.all([a, b])).toEqual([7, 7]);
    vi.setSystemTime(1_001_999);
    expect(await sharedValue(key(), 2000, compute)).toBe(7);
    expect(compute).toHaveBeenCalledTimes(1);
  });

  it("gives the expired answer while the next is computed, then the new one", async () => {
    let v = 1;
    const next = deferred<number>();
    const compute = vi.fn(async () => (v === 1 ? v++ : next.promise));
    expect(await sharedValue(key(), 2000, compute)).toBe(1);
    vi.setSystemTime(1_002_500);
    // expired: the old answer at once, one refresh started (not one per caller)
    expect(await sharedValue(key(), 2000, compute)).toBe(1);
    expect(await sharedValue(key(), 2000, compute)).toBe(1);
    expect(compute).toHaveBeenCalledTimes(2);
    next.resolve(2);
    await next.promise;
    await Promise.resolve();
    expect(await sharedValue(key(), 2000, compute)).toBe(2);
    expect(compute).toHaveBeenCalledTimes(2);
  });

  it("waits for a fresh answer when the old one is too old to give", async () => {
    let v = 0;
    const compute = vi.fn(async () => ++v);
    expect(await sharedValue(key(), 2000, compute)).toBe(1);
    vi.setSystemTime(1_000_000 + 5 * 2000);
    expect(await sharedValue(key(), 2000, compute)).toBe(2);
  });

  it("does not keep a failure: the next caller computes again", async () => {
    const compute = vi.fn().mockRejectedValueOnce(new Error("QuestDB down")).mockResolvedValueOnce(3);
    await expect(sharedValue(key(), 2000, compute)).rejects.toThrow("QuestDB down");
    await Promise.resolve();
    expect(await sharedValue(key(), 2000, compute)).toBe(3);
  });

  it("keeps giving the old answer when a refresh fails, and tries again", async () => {
    const compute = vi.fn().mockResolvedValueOnce(1).mockRejectedValueOnce(new Error("timeout")).mockResolvedValueOnce(2);
    expect(await sharedValue(key(), 2000, compute)).toBe(1);
    vi.setSystemTime(1_002_000);
    expect(await sharedValue(key(), 2000, compute)).toBe(1);
    await new Promise((r) => setTimeout(r, 0));
    expect(await sharedValue(key(), 2000, compute)).toBe(1);
    await new Promise((r) => setTimeout(r, 0));
    expect(await sharedValue(key(), 2000, compute)).toBe(2);
    expect(compute).toHaveBeenCalledTimes(3);
  });

  it("computes every time with a lifetime of 0", async () => {
    let v = 0;
    const compute = async () => ++v;
    expect(await sharedValue(key(), 0, compute)).toBe(1);
    expect(await sharedValue(key(), 0, compute)).toBe(2);
  });

  it("forgets by prefix: a change made here shows at once", async () => {
    let v = 0;
    const compute = async () => ++v;
    const k = key();
    expect(await sharedValue(`${k}/a`, 60_000, compute)).toBe(1);
    expect(await sharedValue(`${k}/b`, 60_000, compute)).toBe(2);
    forgetShared(`${k}/a`);
    expect(await sharedValue(`${k}/a`, 60_000, compute)).toBe(3);
    expect(await sharedValue(`${k}/b`, 60_000, compute)).toBe(2);
  });

  it("answers the shared value as JSON, serialized once", async () => {
    const big = { rows: Array.from({ length: 500 }, (_, i) => ({ i, state: "running" })) };
    const compute = vi.fn(async () => big);
    const a = await sharedJson(key(), 2000, compute);
    const b = await sharedJson(key(), 2000, compute);
    expect(a.headers.get("content-type")).toBe("application/json");
    expect(await a.json()).toEqual(big);
    expect(await b.json()).toEqual(big);
    expect(compute).toHaveBeenCalledTimes(1);
  });

  it("writes numbers to six decimals, integers (timestamps, counts) as they are", async () => {
    const r = await sharedJson(key(), 2000, async () => ({ oee: 0.7791234567891234, runS: 27345.123000000003, ts: 1_764_000_000_123, total: 981 }));
    expect(await r.text()).toBe('{"oee":0.779123,"runS":27345.123,"ts":1764000000123,"total":981}');
  });
});

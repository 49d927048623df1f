// The dashboard's shared answers (lib/features/dashboard/shared-read.ts): one computation per key and lifetime,
// callers coalesced, an expired answer given while its successor is computed, failures not kept.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { roundFigures } from "#lib/features/dashboard/oee-read.ts";
import { forgetShared, JsonText, shared, sharedValue } from "#lib/features/dashboard/shared-read.ts";

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
const key = () => `test:${n}/`;
// lets the promise callbacks waiting on settled computations run
const settle = () => new Promise((r) => setTimeout(r, 0));

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
    await settle();
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
    await settle();
    expect(await sharedValue(key(), 2000, compute)).toBe(3);
  });

  it("keeps giving the old answer when a refresh fails, and tries again", async () => {
    const compute = vi.fn().mockResolvedValueOnce(1).mockRejectedValueOnce(new Error("timeout")).mockResolvedValueOnce(2);
    expect(await sharedValue(key(), 2000, compute)).toBe(1);
    vi.setSystemTime(1_002_000);
    expect(await sharedValue(key(), 2000, compute)).toBe(1);
    await settle();
    expect(await sharedValue(key(), 2000, compute)).toBe(1);
    await settle();
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
    expect(await sharedValue(`${k}a/`, 60_000, compute)).toBe(1);
    expect(await sharedValue(`${k}ab/`, 60_000, compute)).toBe(2);
    forgetShared(`${k}a/`);
    expect(await sharedValue(`${k}a/`, 60_000, compute)).toBe(3);
    // a key that merely starts with the same letters is another site: kept
    expect(await sharedValue(`${k}ab/`, 60_000, compute)).toBe(2);
  });

  it("answers the shared value as JSON, serialized once per computation", async () => {
    const big = { rows: Array.from({ length: 500 }, (_, i) => ({ i, state: "running" })) };
    const compute = vi.fn(async () => big);
    const stringify = vi.spyOn(JSON, "stringify");
    const a = await shared(key(), 2000, compute).json();
    const b = await shared(key(), 2000, compute).json();
    // (the calls that serialize the answer)
    expect(stringify.mock.calls.filter((c) => c[0] === big)).toHaveLength(1);
    stringify.mockRestore();
    expect(a.headers.get("content-type")).toBe("application/json");
    expect(await a.json()).toEqual(big);
    expect(await b.json()).toEqual(big);
    expect(compute).toHaveBeenCalledTimes(1);
  });

  it("sends the wire form when one is given; the value stays as computed", async () => {
    const s = shared(
      key(),
      2000,
      async () => ({ a: 1, list: [{ x: 1, y: "b" }] }),
      (v) => ({ a: v.a, list: v.list.map((e) => [e.x, e.y]) }),
    );
    expect(await (await s.json()).text()).toBe('{"a":1,"list":[[1,"b"]]}');
    expect(await s.text()).toBe('{"a":1,"list":[[1,"b"]]}');
    expect(await s.value).toEqual({ a: 1, list: [{ x: 1, y: "b" }] });
  });

  it("a JSON text kept by another copy of the module (the web server's direct routes vs Next.js' bundle) is sent as that text", async () => {
    const k = key();
    const made = shared(
      k,
      2000,
      async () => ({ a: 1 }),
      () =>
        new JsonText(
          () => '{"made":"by hand"}',
          () => new TextEncoder().encode('{"made":"by hand"}'),
        ),
    );
    // the plant board's API answered first (its bytes), by one copy ...
    expect(await (await made.json()).text()).toBe('{"made":"by hand"}');
    // ... then its live stream asks the text, from a second instance of the module, as Next.js' bundle is beside the copy workers/web.ts loads
    vi.resetModules();
    const other = (await import("#lib/features/dashboard/shared-read.ts")) as typeof import("#lib/features/dashboard/shared-read.ts");
    expect(other.shared).not.toBe(shared);
    const seen = other.shared(k, 2000, async () => ({ a: 2 }));
    expect(await seen.text()).toBe('{"made":"by hand"}');
    expect(other.isJsonText(new JsonText(() => "1"))).toBe(true);
    expect(other.isJsonText({ text: "1" })).toBe(false);
  });

  it("figures are written to six decimals where they are made, integers (timestamps, counts) as they are", async () => {
    const figures = roundFigures({ oee: 0.7791234567891234, runS: 27345.123000000003, ts: 1_764_000_000_123, total: 981, mtbfS: null });
    const r = await shared(key(), 2000, async () => figures).json();
    expect(await r.text()).toBe('{"oee":0.779123,"runS":27345.123,"ts":1764000000123,"total":981,"mtbfS":null}');
  });

  it("joins a computation slower than the lifetime instead of starting more", async () => {
    const d = deferred<number>();
    const compute = vi.fn(() => d.promise);
    const first = sharedValue(key(), 100, compute);
    for (const t of [1_000_050, 1_000_200, 1_000_900, 1_005_000]) {
      vi.setSystemTime(t);
      void sharedValue(key(), 100, compute);
    }
    expect(compute).toHaveBeenCalledTimes(1);
    d.resolve(5);
    expect(await first).toBe(5);
  });

  it("a refresh started before a forget does not replace the answer computed after it", async () => {
    const k = key();
    const slow = deferred<string>();
    let calls = 0;
    const compute = vi.fn(async () => {
      calls++;
      if (calls === 1) return "before";
      if (calls === 2) return slow.promise; // the refresh A, started before the forget
      return `after-${calls}`;
    });
    expect(await sharedValue(k, 1000, compute)).toBe("before");
    vi.setSystemTime(1_001_500);
    expect(await sharedValue(k, 1000, compute)).toBe("before"); // A starts
    forgetShared(k);
    expect(await sharedValue(k, 1000, compute)).toBe("after-3"); // B, fresh
    vi.setSystemTime(1_002_600);
    expect(await sharedValue(k, 1000, compute)).toBe("after-3"); // B expired: its refresh C starts
    slow.resolve("before-forget"); // A finishes late
    await settle();
    const seen = await sharedValue(k, 1000, compute);
    expect(seen).not.toBe("before-forget");
    expect(seen).toBe("after-4");
  });

  it("with a lifetime of 0 each caller computes exactly once", async () => {
    const compute = vi.fn(async () => 1);
    const s = shared(key(), 0, compute);
    expect(await s.value).toBe(1);
    expect(await (await s.json()).json()).toBe(1);
    expect(compute).toHaveBeenCalledTimes(1);
  });
});

// preview(): a bounded rendering of hostile input for error messages (lib/contract/preview.ts).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { preview } from "#lib/contract/preview.ts";

const deep = (depth: number) => JSON.parse(`${"[".repeat(depth)}${"]".repeat(depth)}`) as unknown;

describe("preview", () => {
  it.each([
    ["a short string", "abc", '"abc"'],
    ["a number", 42, "42"],
    ["non-finite numbers", [Number.NaN, Number.POSITIVE_INFINITY], "[NaN,Infinity]"],
    ["null and undefined", [null, undefined], "[null,undefined]"],
    ["a bigint", 10n, "10n"],
    ["an object", { a: 1, b: [true, "x"] }, '{"a":1,"b":[true,"x"]}'],
    ["control characters escaped", "a\u0000b\nc", '"a\\u0000b\\nc"'],
    ["a Date", new Date(0), "1970-01-01T00:00:00.000Z"],
    ["an invalid Date", new Date(Number.NaN), "Invalid Date"],
  ])("renders %s", (_name, v, want) => expect(preview(v)).toBe(want));

  it("cuts a long string and says so", () => {
    const p = preview("x".repeat(1_000_000), 20);
    expect(p).toHaveLength(20);
    expect(p.endsWith("…")).toBe(true);
    expect(p.startsWith('"xxx')).toBe(true);
  });

  it("renders ~10 KB of nested arrays without recursing (and a 1 MB nesting too)", () => {
    for (const depth of [5_000, 500_000]) {
      const v =
        depth <= 5_000
          ? deep(depth)
          : (() => {
              let a: unknown[] = [];
              for (let i = 0; i < depth; i++) a = [a];
              return a;
            })();
      const p = preview(v);
      expect(p).toHaveLength(80);
      expect(p).toBe(`${"[".repeat(79)}…`);
    }
  });

  it("keeps own __proto__ and constructor keys as text and pollutes nothing", () => {
    const v = JSON.parse('{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}}}');
    expect(preview(v, 200)).toBe('{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("ends on cycles, huge arrays and objects with many keys", () => {
    const a: unknown[] = [];
    a.push(a);
    expect(preview(a)).toHaveLength(80);
    const o: Record<string, unknown> = {};
    o.self = o;
    expect(preview(o).length).toBeLessThanOrEqual(80);
    expect(preview(new Array(10_000_000).fill(1), 10)).toBe("[1,1,1,1,…");
    const many = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
    expect(preview(many, 30).length).toBeLessThanOrEqual(30);
  });

  it("shows bytes by size and their start as text", () => {
    expect(preview(Buffer.from("hello"))).toBe('<5 bytes "hello">');
    expect(preview(Buffer.from([0xff, 0xfe, 0x41]))).toBe('<3 bytes "\uFFFD\uFFFDA">');
    expect(preview(Buffer.alloc(10_000_000), 30)).toHaveLength(30);
  });

  it("never throws, even on a revoked Proxy or a throwing getter", () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(() => preview(proxy)).not.toThrow();
    const trap = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error("boom");
        },
        getPrototypeOf: () => {
          throw new Error("boom");
        },
      },
    );
    expect(preview(trap)).toMatch(/…$/);
    const getter = {
      ok: 1,
      get bad() {
        throw new Error("boom");
      },
    };
    expect(preview(getter)).toBe('{"ok":1,"bad":…');
  });

  it("is at most max characters for anything (property)", () => {
    fc.assert(
      fc.property(
        fc.anything({ withBigInt: true, withDate: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true }),
        fc.integer({ min: 1, max: 200 }),
        (v, max) => {
          const p = preview(v, max);
          expect(typeof p).toBe("string");
          expect(p.length).toBeLessThanOrEqual(max);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

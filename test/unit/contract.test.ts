// Every example in docs/mqtt.md parses (or is rejected with the reason the page gives), and each
// kind of bad payload is rejected with a clear reason.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parsePayload, parseTimestamp } from "#lib/contract/payloads.ts";
import { preview } from "#lib/contract/preview.ts";
import { parseTelemetryTopic, telemetryFilters } from "#lib/contract/topics.ts";
import { DEAD_LETTER_PREFIX_BYTES, mapMessage } from "#lib/features/ingest/mapping.ts";
import { repoRoot } from "#lib/platform/config.ts";

interface Example {
  topic: string;
  body: string;
  invalid?: string;
}

function examples(): Example[] {
  const md = readFileSync(join(repoRoot, "docs", "mqtt.md"), "utf8");
  const out: Example[] = [];
  for (const m of md.matchAll(/```json ([^\n]*)\n([\s\S]*?)```/g)) {
    const info = m[1] ?? "";
    const topic = /topic=(\S+)/.exec(info)?.[1];
    if (!topic) continue;
    const reason = /reason="([^"]*)"/.exec(info)?.[1];
    out.push({ topic, body: (m[2] ?? "").trim(), ...(info.startsWith("invalid") ? { invalid: reason ?? "" } : {}) });
  }
  return out;
}

const all = examples();

function check(topic: string, body: string): { ok: true } | { ok: false; reason: string } {
  const t = parseTelemetryTopic(topic);
  if (!t.ok) return t;
  const p = parsePayload(t.channel, Buffer.from(body));
  return p.ok ? { ok: true } : p;
}

describe("docs/mqtt.md examples", () => {
  it("has valid examples for every channel and invalid ones", () => {
    const channels = new Set(all.filter((e) => !e.invalid && e.invalid !== "").map((e) => e.topic.split("/")[5]));
    expect([...channels].sort()).toEqual(["counts", "metrics", "state", "vibration", "waveform"]);
    expect(all.filter((e) => e.invalid !== undefined).length).toBeGreaterThanOrEqual(10);
  });

  for (const e of all.filter((x) => x.invalid === undefined)) {
    it(`accepts ${e.topic}: ${e.body.slice(0, 60)}`, () => {
      expect(check(e.topic, e.body)).toEqual({ ok: true });
    });
  }
  for (const e of all.filter((x) => x.invalid !== undefined)) {
    it(`rejects ${e.topic}: ${e.body.slice(0, 60)} (${e.invalid})`, () => {
      const r = check(e.topic, e.body);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toContain(e.invalid);
    });
  }
});

describe("payload rejections", () => {
  const state = (o: unknown) => parsePayload("state", Buffer.from(JSON.stringify(o)));
  const ts = "2026-11-25T08:00:00Z";
  it.each([
    ["not an object", [1, 2], /must be a JSON object/],
    ["null", null, /must be a JSON object/],
    ["missing v", { ts, state: "idle" }, /unsupported payload version undefined/],
    ["missing ts", { v: 1, state: "idle" }, /ts must be an ISO 8601 string/],
    ["fractional epoch", { v: 1, ts: 12.5, state: "idle" }, /integer epoch milliseconds/],
    ["negative code", { v: 1, ts, code: -1 }, /code/],
    ["reason too long", { v: 1, ts, state: "idle", reason: "x".repeat(201) }, /reason/],
  ])("state: %s", (_name, payload, reason) => {
    const r = state(payload);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it("rejects invalid UTF-8 / binary as invalid JSON", () => {
    const r = parsePayload("counts", Buffer.from([0xff, 0x00, 0x7b]));
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/^invalid JSON/) });
  });

  it("rejects NaN-like values that JSON cannot carry and non-finite metrics", () => {
    const r = parsePayload("metrics", Buffer.from('{"v":1,"ts":"2026-11-25T08:00:00Z","metrics":[{"name":"a","value":"NaN"}]}'));
    expect(r.ok).toBe(false);
  });

  it("rejects a counter above its counter_max", () => {
    const r = parsePayload("counts", Buffer.from(JSON.stringify({ v: 1, ts, mode: "cumulative", total: 70000, counter_max: 65535 })));
    expect(r).toMatchObject({ ok: false, reason: expect.stringContaining("above counter_max 65535") });
  });
});

describe("timestamps", () => {
  it.each([
    ["2026-11-25T08:00:00Z", Date.UTC(2026, 10, 25, 8) * 1000],
    ["2026-11-25T09:00:00+01:00", Date.UTC(2026, 10, 25, 8) * 1000],
    ["2026-11-25T08:00:00.123456Z", Date.UTC(2026, 10, 25, 8) * 1000 + 123456],
    ["2026-11-25T08:00:00.1Z", Date.UTC(2026, 10, 25, 8) * 1000 + 100000],
    [Date.UTC(2026, 10, 25, 8), Date.UTC(2026, 10, 25, 8) * 1000],
  ])("%s -> epoch µs", (input, micros) => {
    expect(parseTimestamp(input)).toBe(micros);
  });
  it.each(["2026-11-25T08:00:00", "2026-02-30T08:00:00Z", "25.11.2026", "2026-11-25T25:00:00Z"])("rejects %s", (input) => {
    expect(typeof parseTimestamp(input)).toBe("string");
  });
  // the 60-byte message that stopped the stack: ts an integer larger than a Date can hold
  it.each([
    [1e20, "between 1970-01-01 and 2200-01-01"],
    [8.64e15 + 1, "between 1970-01-01 and 2200-01-01"],
    [Number.MAX_SAFE_INTEGER, "between 1970-01-01 and 2200-01-01"],
    [Date.UTC(2200, 0, 1), "between 1970-01-01 and 2200-01-01"],
    [1_795_596_072_250_000_000, "nanoseconds or microseconds sent by mistake"],
    [-1, "integer epoch milliseconds"],
    [1.5, "integer epoch milliseconds"],
    ["2200-01-01T00:00:00Z", "between 1970-01-01 and 2200-01-01"],
    ["1970-01-01T00:00:00+01:00", "between 1970-01-01 and 2200-01-01"],
    ["0000-01-01T00:00:00Z", "between 1970-01-01 and 2200-01-01"],
    ["2026-11-25T08:00:00+23:59", "offset beyond"],
  ])("refuses %s outside what the tables hold, with a reason", (input, reason) => {
    expect(parseTimestamp(input)).toEqual(expect.stringContaining(reason));
  });
  it("accepts both ends of the range", () => {
    expect(parseTimestamp(0)).toBe(0);
    expect(parseTimestamp(Date.UTC(2200, 0, 1) - 1)).toBe((Date.UTC(2200, 0, 1) - 1) * 1000);
    expect(parseTimestamp("2199-12-31T23:59:59.999999Z")).toBe(Date.UTC(2200, 0, 1) * 1000 - 1);
  });
});

describe("hostile payloads", () => {
  const ctx = { nowMicros: Date.now() * 1000, maxFutureMicros: 300e6, maxAgeMicros: 86400e6, isKnownMachine: () => true, worker: "w" };
  const topic = "acme/dresden/machining/line-1/cnc-01/state";
  it("a 60-byte state message with a ts past what a Date holds is dead-lettered, not thrown", () => {
    const body = Buffer.from('{"v":1,"ts":99999999999999999999,"state":"running"}');
    const m = mapMessage(topic, body, ctx);
    expect(m).toMatchObject({ ok: false, reason: expect.stringContaining("between 1970-01-01 and 2200-01-01") });
  });
  it("deep nesting in any field gives a bounded reason (the error message never serialises the input)", () => {
    const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
    for (const field of ["v", "state", "ts", "reason", "code"]) {
      const m = mapMessage(topic, Buffer.from(`{"v":1,"ts":"2026-11-25T08:00:00Z","${field}":${deep}}`), ctx);
      expect(m.ok).toBe(false);
      if (!m.ok) expect(m.reason.length).toBeLessThan(1000);
    }
  });
  it("out-of-range readings are refused with the field named", () => {
    const r = parsePayload("vibration", Buffer.from(JSON.stringify({ v: 1, ts: "2026-11-25T08:00:00Z", velocity_rms_mm_s: 1e300 })));
    expect(r).toMatchObject({ ok: false, reason: expect.stringContaining("velocity_rms_mm_s") });
    const c = parsePayload("counts", Buffer.from(JSON.stringify({ v: 1, ts: "2026-11-25T08:00:00Z", mode: "delta", total: 2 ** 60 })));
    expect(c).toMatchObject({ ok: false, reason: expect.stringContaining("total") });
  });
  it("a message that contradicts itself is refused with the reason", () => {
    const r = parsePayload("vibration", Buffer.from(JSON.stringify({ v: 1, ts: "2026-11-25T08:00:00Z", accel_rms_g: 0.5, accel_peak_g: 0.2 })));
    expect(r).toMatchObject({ ok: false, reason: expect.stringContaining("accel_peak_g is below accel_rms_g") });
    const ok = parsePayload("vibration", Buffer.from(JSON.stringify({ v: 1, ts: "2026-11-25T08:00:00Z", accel_rms_g: 0.5, accel_peak_g: 0.5 })));
    expect(ok.ok).toBe(true);
  });
  it("a dead letter keeps a bounded prefix, the size and the SHA-256 of a large payload", () => {
    const body = Buffer.alloc(3 * 1024 * 1024, 0x41);
    const m = mapMessage(topic, body, ctx);
    expect(m.ok).toBe(false);
    if (m.ok) return;
    const f = Object.fromEntries(m.deadLetter.fields.map((x) => [x.name, "value" in x ? x.value : "micros" in x ? x.micros : undefined]));
    expect(Buffer.from(String(f.payload_b64), "base64")).toHaveLength(DEAD_LETTER_PREFIX_BYTES);
    expect(f.payload_bytes).toBe(body.length);
    expect(m.deadLetter.symbols.find(([k]) => k === "payload_sha256")?.[1]).toBe(createHash("sha256").update(body).digest("hex"));
  });
  it("preview never throws and stays short", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const v of [cyclic, "x".repeat(1e6), Symbol("s"), () => 1, 10n ** 400n, undefined, null, [1, 2]]) expect(preview(v).length).toBeLessThanOrEqual(84);
  });
});

describe("topics", () => {
  it("parses the namespace", () => {
    expect(parseTelemetryTopic("acme/dresden/machining/line-1/cnc-01/counts")).toEqual({
      ok: true,
      path: { enterprise: "acme", site: "dresden", area: "machining", line: "line-1", machine: "cnc-01" },
      channel: "counts",
    });
  });
  it.each([
    ["acme/dresden/machining/line-1/counts", /6 levels/],
    ["acme/dresden/machining/line-1/cnc-01/cmd", /unknown channel "cmd"/],
    ["acme/dresden/machining/line 1/cnc-01/state", /not a valid name/],
    ["acme/dresden/machining/line-1/cnc-01/state/extra", /6 levels/],
  ])("rejects %s", (topic, reason) => {
    const r = parseTelemetryTopic(topic);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });
  it("builds one filter per channel", () => {
    expect(telemetryFilters("acme")).toContain("acme/+/+/+/+/vibration");
  });
});

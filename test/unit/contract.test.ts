// Every example in docs/mqtt.md parses (or is rejected with the reason the page gives), and each
// kind of bad payload is rejected with a clear reason.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../lib/config.ts";
import { parsePayload, parseTimestamp } from "../../lib/contract/payloads.ts";
import { parseTelemetryTopic, telemetryFilters } from "../../lib/contract/topics.ts";

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

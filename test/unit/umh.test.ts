// The United Manufacturing Hub translation (lib/contract/umh.ts): every UMH example of docs/mqtt.md
// becomes exactly the Andon message printed under it, every rejected one fails with the reason the
// page gives, the page's state table is the code's, and bad inputs get a clear reason.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { parsePayload } from "#lib/contract/payloads.ts";
import { parseTelemetryTopic } from "#lib/contract/topics.ts";
import { parseUmhTopic, translateUmh, UMH_ANALYTICS_NOT_TAKEN, umhEnterpriseFilters } from "#lib/contract/umh.ts";
import { andonStateOfUmhCode, UMH_STATES } from "#lib/contract/umh-states.ts";
import { classify, DEFAULT_MAPPING, STATE_CODES } from "#lib/domain/oee/mapping.ts";
import { mapMessage } from "#lib/features/ingest/mapping.ts";
import { repoRoot } from "#lib/platform/config.ts";

const md = readFileSync(join(repoRoot, "docs", "mqtt.md"), "utf8");
const section = md.slice(md.indexOf("## United Manufacturing Hub (UMH) data model"), md.indexOf("## Commands"));

interface Pair {
  umhTopic: string;
  umhBody: string;
  andonTopic: string;
  andonBody: string;
  ignored: string[];
}

const blocks = [...section.matchAll(/```json (umh|andon|umh-invalid)=(\S+)([^\n]*)\n([\s\S]*?)```/g)].map((m) => ({
  kind: m[1] as "umh" | "andon" | "umh-invalid",
  topic: m[2] ?? "",
  info: m[3] ?? "",
  body: (m[4] ?? "").trim(),
}));

const pairs: Pair[] = [];
for (const [i, b] of blocks.entries()) {
  if (b.kind !== "umh") continue;
  const next = blocks[i + 1];
  if (next?.kind !== "andon") throw new Error(`UMH example ${b.topic} has no Andon message under it`);
  const ignored = /ignored=(\S+)/.exec(next.info)?.[1]?.split(",") ?? [];
  pairs.push({ umhTopic: b.topic, umhBody: b.body, andonTopic: next.topic, andonBody: next.body, ignored });
}
const invalid = blocks
  .filter((b) => b.kind === "umh-invalid")
  .map((b) => ({ topic: b.topic, body: b.body, reason: /reason="([^"]*)"/.exec(b.info)?.[1] ?? "" }));

const bytes = (o: unknown) => Buffer.from(typeof o === "string" ? o : JSON.stringify(o));
const M = "umh/v1/acme/dresden/machining/line-1/cnc-01";
const reasonOf = (topic: string, body: unknown) => {
  const r = translateUmh(topic, bytes(body));
  if (r.ok) throw new Error(`expected a refusal of ${topic}`);
  return r.reason;
};

describe("docs/mqtt.md UMH examples", () => {
  it("has examples of every schema and channel, and rejected ones", () => {
    expect(new Set(pairs.map((p) => p.andonTopic.split("/")[5]))).toEqual(new Set(["metrics", "vibration", "state", "counts"]));
    expect(pairs.some((p) => p.umhTopic.includes("/_analytics/state/add"))).toBe(true);
    expect(pairs.some((p) => p.umhTopic.includes("/_analytics/product/add"))).toBe(true);
    expect(invalid.length).toBeGreaterThanOrEqual(10);
    expect(invalid.every((e) => e.reason.length > 0)).toBe(true);
  });

  for (const p of pairs) {
    it(`${p.umhTopic.slice(7)} ${p.umhBody.replace(/\s+/g, " ").slice(0, 50)} -> ${p.andonTopic.split("/")[5]}`, () => {
      const r = translateUmh(p.umhTopic, bytes(p.umhBody));
      if (!r.ok) throw new Error(r.reason);
      const t = parseTelemetryTopic(p.andonTopic);
      if (!t.ok) throw new Error(t.reason);
      expect(r.path).toEqual(t.path);
      const want = parsePayload(t.channel, bytes(p.andonBody));
      if (!want.ok) throw new Error(want.reason);
      expect(r.telemetry).toEqual(want.value);
      expect(r.ignored).toEqual(p.ignored);
    });
  }

  for (const e of invalid) {
    it(`rejects ${e.topic.slice(7)}: ${e.body.slice(0, 50)} (${e.reason})`, () => {
      expect(reasonOf(e.topic, e.body)).toContain(e.reason);
    });
  }

  it("prints the code's state table: every UMH state, Andon's state and the default loss category", () => {
    const rows = [...section.matchAll(/^\| (\d+)\s+\| (\w+)\s+\| `(\w+)`\s+\| (\w+)\s+\|$/gm)].map((m) => [Number(m[1]), m[2], m[3], m[4]]);
    const expected = UMH_STATES.map((s) => {
      const name = andonStateOfUmhCode(s.code);
      return [s.code, s.umh, name, classify({ code: s.code, state: name }, DEFAULT_MAPPING)];
    });
    expect(rows).toEqual(expected);
  });
});

describe("UMH state codes", () => {
  it("every documented UMH state becomes an Andon state with the same code", () => {
    for (const { code } of UMH_STATES) {
      const r = translateUmh(`${M}/_analytics/state/add`, bytes({ start_time_unix_ms: 1795593600000, state: code }));
      if (!r.ok) throw new Error(r.reason);
      expect(r.telemetry.channel).toBe("state");
      if (r.telemetry.channel !== "state") return;
      expect(r.telemetry.msg.code).toBe(code);
      expect(STATE_CODES[r.telemetry.msg.state as keyof typeof STATE_CODES]).toBe(code);
    }
  });

  it("a code with no name is kept as a code and classified by its category", () => {
    const r = translateUmh(`${M}/_analytics/state/add`, bytes({ start_time_unix_ms: 1795593600000, state: 20007 }));
    if (!r.ok || r.telemetry.channel !== "state") throw new Error("expected a state");
    expect(r.telemetry.msg.state).toBeUndefined();
    expect(classify(r.telemetry.msg, DEFAULT_MAPPING)).toBe("REDUCED_SPEED");
  });
});

describe("UMH topics", () => {
  it("names the machine by the five location levels, with or without an originID", () => {
    const a = parseUmhTopic(`${M}/_historian/a/b`);
    const b = parseUmhTopic(`${M}/00-80-41-ae-fd-7e/_historian/a/b`);
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(a.topic.path).toEqual({ enterprise: "acme", site: "dresden", area: "machining", line: "line-1", machine: "cnc-01" });
    expect(b.topic.path).toEqual(a.topic.path);
    expect(b.topic.originId).toBe("00-80-41-ae-fd-7e");
    expect(a.topic.rest).toEqual(["a", "b"]);
  });

  it.each([
    ["acme/dresden/machining/line-1/cnc-01/state", /not a UMH topic/],
    [`${M}/temperature`, /no schema level/],
    ["umh/v1/acme/dresden/machining/line-1/cnc-01/origin/extra/_historian", /has 7 levels/],
    ["umh/v1/acme/_historian", /has 1 levels/],
    [`${M}/_raw/x`, /"_raw" is not taken by Andon/],
    ["umh/v1/ACME/dresden/machining/line-1/cnc-01/_historian", /level enterprise "ACME" is not a valid name/],
    ["umh/v1/acme/dresden//line-1/cnc-01/_historian", /level area "" is not a valid name/],
  ])("refuses %s", (topic, reason) => {
    expect(reasonOf(topic, { timestamp_ms: 1795593600000, x: 1 })).toMatch(reason);
  });

  it("subscribes to exactly the depths it can name a machine from", () => {
    expect(umhEnterpriseFilters("acme")).toEqual([
      "umh/v1/acme/+/+/+/+/_historian/#",
      "umh/v1/acme/+/+/+/+/_analytics/#",
      "umh/v1/acme/+/+/+/+/+/_historian/#",
      "umh/v1/acme/+/+/+/+/+/_analytics/#",
    ]);
  });
});

describe("UMH payload refusals", () => {
  const H = `${M}/_historian`;
  const ts = 1795593600000;
  it.each([
    ["invalid JSON", H, '{"timestamp_ms": 1', /_historian: invalid JSON/],
    ["an array", H, [1, 2], /payload must be a JSON object/],
    ["no timestamp", H, { temperature: 1 }, /timestamp_ms must be integer epoch milliseconds, got undefined/],
    ["a fractional timestamp", H, { timestamp_ms: ts + 0.5, t: 1 }, /timestamp_ms must be integer epoch milliseconds/],
    ["microseconds", H, { timestamp_ms: ts * 1000, t: 1 }, /timestamp_ms .* is not between 1970-01-01 and 2200-01-01/],
    ["no tag values", H, { timestamp_ms: ts }, /no tag values beside timestamp_ms/],
    ["an array value", H, { timestamp_ms: ts, t: [1, 2] }, /tag "t" has \[1,2\]; UMH tag values are numbers, booleans or strings/],
    ["null", H, { timestamp_ms: ts, t: null }, /tag "t" has null/],
    ["a name that is no metric name", H, { timestamp_ms: ts, "1st pass": 3 }, /tag "1st pass" cannot be an Andon metric name/],
    ["two tags with one name", H, { timestamp_ms: ts, Temp: 1, temp: 2 }, /tags "Temp" and "temp" both become metric temp/],
    ["more than 200 tags", H, { timestamp_ms: ts, ...Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`t${i}`, i])) }, /at most 200 metrics/],
    ["nesting too deep", H, { timestamp_ms: ts, a: { b: { c: { d: { e: { f: { g: { h: { i: 1 } } } } } } } } }, /tag "a.b.c.d.e.f.g.h" has \{"i":1\}/],
    ["a vibration value out of range", `${H}/vibration`, { timestamp_ms: ts, velocity_rms_mm_s: -1 }, /-> Andon vibration: .*velocity_rms_mm_s/],
    ["state as text", `${M}/_analytics/state/add`, { start_time_unix_ms: ts, state: "running" }, /state: state must be a number/],
    ["state without a time", `${M}/_analytics/state/add`, { state: 10000 }, /start_time_unix_ms is required/],
    ["state with a bad ISO time", `${M}/_analytics/state/add`, { state: 10000, start_time: "yesterday" }, /start_time "yesterday" is not ISO 8601/],
    ["product without parts", `${M}/_analytics/product/add`, { end_time_unix_ms: ts, quantity: 0 }, /quantity must be at least 1/],
    ["product without an end", `${M}/_analytics/product/add`, { quantity: 3 }, /end_time_unix_ms is required/],
    [
      "an unknown message",
      `${M}/_analytics/state/remove`,
      { start_time_unix_ms: ts },
      /unknown _analytics message \(Andon takes state\/add and product\/add\)/,
    ],
  ])("%s", (_name, topic, body, reason) => {
    expect(reasonOf(topic, body)).toMatch(reason);
  });

  it("refuses hostile shapes with a bounded reason: 100,000 tags, 5,000 levels of nesting, a 100 KB tag name", () => {
    const wide = `{"timestamp_ms":${ts},${Array.from({ length: 100_000 }, (_, i) => `"t${i}":${i}`).join(",")}}`;
    expect(reasonOf(H, wide)).toBe("UMH _historian: more than 1000 tags and tag groups");
    const deep = `{"timestamp_ms":${ts},"a":${'{"a":'.repeat(5000)}1${"}".repeat(5000)}}`;
    const deepReason = reasonOf(H, deep);
    expect(deepReason).toMatch(/^UMH _historian: tag "a\.a\.a\.a\.a\.a\.a\.a" has \{"a":\{"a":.*…; UMH tag values are numbers, booleans or strings$/);
    expect(deepReason.length).toBeLessThan(200);
    const long = reasonOf(`${H}/${"g".repeat(100_000)}`, { timestamp_ms: ts, x: 1 });
    expect(long).toMatch(/cannot be an Andon metric name/);
    expect(long.length).toBeLessThan(400);
  });

  it("says for every _analytics message it does not take where that lives in Andon", () => {
    for (const [op, why] of Object.entries(UMH_ANALYTICS_NOT_TAKEN)) {
      expect(reasonOf(`${M}/_analytics/${op}`, { start_time_unix_ms: ts })).toBe(
        `UMH _analytics/${op}: not taken by Andon: ${why} (docs/mqtt.md, moving OEE from UMH)`,
      );
    }
  });
});

describe("UMH through the ingest mapping", () => {
  const now = 1795593600000 * 1000 + 5_000_000;
  const ctx = (known: string[]) => ({
    nowMicros: now,
    maxFutureMicros: 300e6,
    maxAgeMicros: 30 * 86400e6,
    isKnownMachine: (k: string) => known.includes(k),
    worker: "test",
  });
  const known = ["acme/dresden/machining/line-1/cnc-01"];

  it("writes the machine's rows, and the strings it does not store as a dead letter keyed by the message's own time", () => {
    const body = bytes({ timestamp_ms: 1795593600000, temperature_c: 154.1, notes: "sensor 1 is faulty" });
    const m = mapMessage(`${M}/_historian`, body, ctx(known));
    if (!m.ok) throw new Error(m.reason);
    expect(m.rows.map((r) => r.table)).toEqual([TABLES.metrics, TABLES.deadLetters]);
    expect(m.rows[0]?.symbols).toContainEqual(["machine", "cnc-01"]);
    expect(m.rows[1]?.ts).toBe(1795593600000 * 1000);
    expect(m.rows[1]?.fields).toContainEqual({
      kind: "string",
      name: "reason",
      value: "UMH _historian: string values not stored (Andon keeps numbers): notes",
    });
  });

  it("dead-letters an unknown machine and a refused message, keyed by the UMH timestamp so a redelivery lands once", () => {
    const ghost = mapMessage(
      "umh/v1/acme/dresden/machining/line-1/ghost/_analytics/state/add",
      bytes({ start_time_unix_ms: 1795593600000, state: 10000 }),
      ctx(known),
    );
    expect(ghost.ok).toBe(false);
    if (ghost.ok) return;
    expect(ghost.reason).toBe("unknown machine acme/dresden/machining/line-1/ghost (not in the asset model)");
    expect(ghost.deadLetter.ts).toBe(1795593600000 * 1000);
    const refused = mapMessage(`${M}/_analytics/shift/add`, bytes({ start_time_unix_ms: 1795593600000, end_time_unix_ms: 1795622400000 }), ctx(known));
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.deadLetter.ts).toBe(1795593600000 * 1000);
  });

  it("applies the worker's age window to UMH timestamps", () => {
    const m = mapMessage(`${M}/_historian`, bytes({ timestamp_ms: 1700000000000, temperature: 23.4 }), ctx(known));
    expect(m.ok).toBe(false);
    if (!m.ok) expect(m.reason).toMatch(/^timestamp 2023-11-14T22:13:20.000Z is older than 2592000 s$/);
  });
});

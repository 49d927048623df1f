// docs/mqtt.md, "Sparkplug B host application": every example runs, in order, through one host session
// with the documented mapping (lib/features/ingest/sparkplug-ingest.ts), and what Andon would store is
// compared with the Andon messages, dead-letter reasons and rebirth requests shown under it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fromBinary, fromJson, type JsonValue, toBinary, toJson } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { PayloadSchema } from "#lib/contract/generated/sparkplug_b_pb.ts";
import { parseMachineKey } from "#lib/contract/identity.ts";
import { validateTelemetry } from "#lib/contract/payloads.ts";
import type { TelemetryChannel } from "#lib/contract/topics.ts";
import { type MappingContext, telemetryRows } from "#lib/features/ingest/mapping.ts";
import { mapSparkplug } from "#lib/features/ingest/sparkplug-ingest.ts";
import { indexMappings, type StoredMapping } from "#lib/features/ingest/sparkplug-mapping.ts";
import { SparkplugHost } from "#lib/features/ingest/sparkplug-session.ts";

const repoRoot = join(import.meta.dirname, "..", "..");
const md = readFileSync(join(repoRoot, "docs", "mqtt.md"), "utf8");
const section = md.slice(md.indexOf("## Sparkplug B host application"), md.indexOf("### Decoder: generated with @bufbuild/protobuf"));
const blocks = [...section.matchAll(/```(json|text) (sparkplug-mapping|sparkplug=\S+|andon=\S+|dead-letter|ncmd=\S+)\n([\s\S]*?)```/g)].map((m) => {
  const [kind = "", topic = ""] = (m[2] ?? "").split("=");
  return { kind, topic, body: (m[3] ?? "").trim() };
});

interface Step {
  topic: string;
  payload: JsonValue;
  andon: { topic: string; body: unknown }[];
  deadLetter?: string;
  ncmd?: { topic: string; payload: JsonValue };
}
const steps: Step[] = [];
for (const b of blocks) {
  const last = steps.at(-1);
  if (b.kind === "sparkplug") steps.push({ topic: b.topic, payload: JSON.parse(b.body) as JsonValue, andon: [] });
  else if (b.kind === "andon") last?.andon.push({ topic: b.topic, body: JSON.parse(b.body) });
  else if (b.kind === "dead-letter" && last) last.deadLetter = b.body;
  else if (b.kind === "ncmd" && last) last.ncmd = { topic: b.topic, payload: JSON.parse(b.body) as JsonValue };
}
const mappingBlock = blocks.find((b) => b.kind === "sparkplug-mapping");
const mappings = JSON.parse(mappingBlock?.body ?? "[]") as StoredMapping[];

const fromBinaryPayload = (b: Uint8Array) => fromBinary(PayloadSchema, b);
const NOW_MS = 1795593660000;
const ctx: MappingContext = {
  nowMicros: NOW_MS * 1000,
  maxFutureMicros: 300e6,
  maxAgeMicros: 30 * 86400e6,
  isKnownMachine: (k) => k === "acme/dresden/machining/line-1/cnc-01",
  worker: "docs",
};

describe("docs/mqtt.md Sparkplug B examples", () => {
  it("has a mapping and examples of every message kind and channel, with dead letters and rebirth requests", () => {
    expect(mappings).toHaveLength(5);
    expect(new Set(steps.map((s) => s.topic.split("/")[2]))).toEqual(new Set(["NBIRTH", "DBIRTH", "DDATA", "NDEATH", "NDATA"]));
    expect(new Set(steps.flatMap((s) => s.andon.map((a) => a.topic.split("/")[5])))).toEqual(new Set(["metrics", "state", "counts", "vibration"]));
    expect(steps.filter((s) => s.deadLetter)).toHaveLength(3);
    expect(steps.filter((s) => s.ncmd)).toHaveLength(2);
  });

  it("stores what each example shows, dead-letters with the reason shown, and asks for the rebirths shown", () => {
    const host = new SparkplugHost();
    const index = indexMappings(mappings);
    for (const step of steps) {
      const bytes = toBinary(PayloadSchema, fromJson(PayloadSchema, step.payload));
      const out = mapSparkplug(step.topic, bytes, host, index, ctx);
      const expected = step.andon.flatMap(({ topic, body }) => {
        const parts = topic.split("/");
        const path = parseMachineKey(parts.slice(0, 5).join("/"));
        const v = validateTelemetry(parts[5] as TelemetryChannel, body);
        if (!path.ok || !v.ok) throw new Error(`documented Andon message ${topic} is not valid: ${v.ok ? "" : v.reason}`);
        return telemetryRows(path.path, v.value);
      });
      const stored = out.rows.filter((r) => r.table !== TABLES.deadLetters && r.table !== TABLES.oeeLate);
      expect(stored, step.topic).toEqual(expected);
      const dead = out.rows.filter((r) => r.table === TABLES.deadLetters);
      expect(
        dead.map((r) => r.fields.find((f) => f.name === "reason")).map((f) => (f && "value" in f ? f.value : undefined)),
        step.topic,
      ).toEqual(step.deadLetter ? [step.deadLetter] : []);
      expect(out.rebirth && { topic: out.rebirth.topic, payload: toJson(PayloadSchema, fromBinaryPayload(out.rebirth.payload)) }, step.topic).toEqual(
        step.ncmd && { topic: step.ncmd.topic, payload: toJson(PayloadSchema, fromJson(PayloadSchema, step.ncmd.payload)) },
      );
    }
    expect(host.online).toEqual([]);
  });
});

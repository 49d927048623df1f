// From one MQTT message to the QuestDB rows it becomes, or to a dead letter with its reason.
// Pure: the clock, the asset registry and the limits come in as arguments.
import { createHash } from "node:crypto";
import { parsePayload, parseTimestamp, type Telemetry } from "../contract/payloads.ts";
import { type MachinePath, machineKey, parseTelemetryTopic, type TelemetryChannel } from "../contract/topics.ts";
import type { Field, Row } from "../questdb/rows.ts";
import { TABLES } from "../questdb/tables.ts";

export interface MappingContext {
  nowMicros: number;
  maxFutureMicros: number;
  maxAgeMicros: number;
  isKnownMachine(key: string): boolean;
  worker: string;
}

export type Mapped = { ok: true; channel: TelemetryChannel; rows: Row[] } | { ok: false; reason: string; deadLetter: Row };

export function mapMessage(topic: string, payload: Uint8Array, ctx: MappingContext): Mapped {
  const dead = (reason: string): Mapped => ({ ok: false, reason, deadLetter: deadLetterRow(topic, payload, reason, ctx) });

  const t = parseTelemetryTopic(topic);
  if (!t.ok) return dead(t.reason);
  const p = parsePayload(t.channel, payload);
  if (!p.ok) return dead(p.reason);
  const key = machineKey(t.path);
  if (!ctx.isKnownMachine(key)) return dead(`unknown machine ${key} (not in the asset model)`);
  const ts = p.value.msg.ts;
  if (ts > ctx.nowMicros + ctx.maxFutureMicros) {
    return dead(`timestamp ${new Date(ts / 1000).toISOString()} is more than ${ctx.maxFutureMicros / 1e6} s in the future`);
  }
  if (ts < ctx.nowMicros - ctx.maxAgeMicros) {
    return dead(`timestamp ${new Date(ts / 1000).toISOString()} is older than ${ctx.maxAgeMicros / 1e6} s`);
  }
  return { ok: true, channel: t.channel, rows: telemetryRows(t.path, p.value, ctx.nowMicros) };
}

function pathSymbols(p: MachinePath): [string, string][] {
  return [
    ["enterprise", p.enterprise],
    ["site", p.site],
    ["area", p.area],
    ["line", p.line],
    ["machine", p.machine],
  ];
}

const opt = (kind: "float" | "int", name: string, value: number | undefined): Field[] => (value === undefined ? [] : [{ kind, name, value }]);

export function telemetryRows(path: MachinePath, t: Telemetry, receivedMicros: number): Row[] {
  const symbols = pathSymbols(path);
  const received: Field = { kind: "timestamp", name: "received_at", micros: receivedMicros };
  switch (t.channel) {
    case "state": {
      const m = t.msg;
      return [
        {
          table: TABLES.state,
          symbols: [...symbols, ...(m.state ? ([["state", m.state]] as [string, string][]) : [])],
          fields: [...opt("int", "code", m.code), ...(m.reason ? [{ kind: "string", name: "reason", value: m.reason } as Field] : []), received],
          ts: m.ts,
        },
      ];
    }
    case "counts": {
      const m = t.msg;
      return [
        {
          table: TABLES.counts,
          symbols: [...symbols, ["mode", m.mode]],
          fields: [
            { kind: "int", name: "total", value: m.total },
            { kind: "int", name: "reject", value: m.reject },
            ...opt("int", "counter_max", m.counter_max),
            received,
          ],
          ts: m.ts,
        },
      ];
    }
    case "vibration": {
      const m = t.msg;
      return [
        {
          table: TABLES.vibration,
          symbols: [...symbols, ["sensor", m.sensor]],
          fields: [
            ...opt("float", "velocity_rms_mm_s", m.velocity_rms_mm_s),
            ...opt("float", "accel_rms_g", m.accel_rms_g),
            ...opt("float", "accel_peak_g", m.accel_peak_g),
            ...opt("float", "crest_factor", m.crest_factor),
            ...opt("float", "kurtosis", m.kurtosis),
            ...opt("float", "temperature_c", m.temperature_c),
            ...opt("float", "speed_rpm", m.speed_rpm),
            received,
          ],
          ts: m.ts,
        },
      ];
    }
    case "waveform": {
      const m = t.msg;
      return [
        {
          table: TABLES.waveform,
          symbols: [...symbols, ["sensor", m.sensor], ["unit", m.unit]],
          fields: [
            { kind: "float", name: "sample_rate_hz", value: m.sample_rate_hz },
            ...opt("float", "speed_rpm", m.speed_rpm),
            { kind: "int", name: "sample_count", value: m.samples.length },
            { kind: "array", name: "samples", value: m.samples },
            received,
          ],
          ts: m.ts,
        },
      ];
    }
    case "metrics": {
      const m = t.msg;
      return m.metrics.map((x) => ({
        table: TABLES.metrics,
        symbols: [...symbols, ["name", x.name], ...(x.unit ? ([["unit", x.unit]] as [string, string][]) : [])],
        fields: [{ kind: "float", name: "value", value: x.value }, received],
        ts: m.ts,
      }));
    }
  }
}

/**
 * Dead letters keep the exact bytes (base64). They are keyed by the message's own timestamp when it has a
 * plausible one, so a redelivered bad message lands once; otherwise by the time it was received.
 */
export function deadLetterRow(topic: string, payload: Uint8Array, reason: string, ctx: MappingContext): Row {
  const buf = Buffer.from(payload);
  let ts = ctx.nowMicros;
  try {
    const parsed = parseTimestamp((JSON.parse(buf.toString("utf8")) as { ts?: unknown })?.ts);
    const plausible = typeof parsed === "number" && parsed <= ctx.nowMicros + ctx.maxFutureMicros && parsed >= ctx.nowMicros - ctx.maxAgeMicros;
    if (plausible) ts = parsed;
  } catch {
    // not JSON: keyed by the time it was received
  }
  return {
    table: TABLES.deadLetters,
    symbols: [
      ["payload_sha256", createHash("sha256").update(buf).digest("hex")],
      ["worker", ctx.worker],
    ],
    fields: [
      { kind: "string", name: "topic", value: topic.slice(0, 1024) },
      { kind: "string", name: "reason", value: reason.slice(0, 2000) },
      { kind: "string", name: "payload_b64", value: buf.toString("base64") },
      { kind: "int", name: "payload_bytes", value: buf.length },
      { kind: "timestamp", name: "received_at", micros: ctx.nowMicros },
    ],
    ts,
  };
}

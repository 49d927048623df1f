// From one MQTT message to the QuestDB rows it becomes, or to a dead letter with its reason.
// Pure: the clock, the asset registry and the limits come in as arguments.
import { createHash } from "node:crypto";
import type { Field, Row } from "#lib/adapters/questdb/rows.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { type MachinePath, machineKey } from "#lib/contract/identity.ts";
import { parsePayload, parseTimestamp, type Telemetry } from "#lib/contract/payloads.ts";
import { bounded } from "#lib/contract/preview.ts";
import { isoOrNumber } from "#lib/contract/timestamp.ts";
import { parseTelemetryTopic, type TelemetryChannel } from "#lib/contract/topics.ts";
import { isUmhTopic, translateUmh } from "#lib/contract/umh.ts";
import { isLate, lateMarkMicros } from "#lib/domain/oee/late.ts";

export interface MappingContext {
  nowMicros: number;
  maxFutureMicros: number;
  maxAgeMicros: number;
  isKnownMachine(key: string): boolean;
  worker: string;
}

export type Mapped = { ok: true; channel: TelemetryChannel; rows: Row[] } | { ok: false; reason: string; deadLetter: Row };

/**
 * A message is data, never control flow: whatever goes wrong while mapping one message (a bug, a
 * value no rule foresaw) makes a dead letter with the reason, never an exception in the worker.
 */
export function mapMessage(topic: string, payload: Uint8Array, ctx: MappingContext): Mapped {
  try {
    return mapUnguarded(topic, payload, ctx);
  } catch (e) {
    const reason = `internal error while mapping: ${bounded(String((e as Error)?.message ?? e), 300)}`;
    return { ok: false, reason, deadLetter: deadLetterRow(topic, payload, reason, ctx) };
  }
}

function mapUnguarded(topic: string, payload: Uint8Array, ctx: MappingContext): Mapped {
  const dead = (reason: string): Mapped => ({ ok: false, reason, deadLetter: deadLetterRow(topic, payload, reason, ctx) });

  // the United Manufacturing Hub's data model: translated into one Andon message, then the same checks
  if (isUmhTopic(topic)) {
    const u = translateUmh(topic, payload);
    if (!u.ok) return dead(u.reason);
    const mapped = checkedRows(u.path, u.telemetry, ctx, dead);
    // values Andon does not store (strings) are kept as a dead letter beside the rows, so nothing goes unsaid
    if (mapped.ok && u.ignored.length) {
      const reason = `UMH _historian: string values not stored (Andon keeps numbers): ${bounded(u.ignored.join(", "), 500)}`;
      mapped.rows.push(deadLetterRow(topic, payload, reason, ctx));
    }
    return mapped;
  }
  const t = telemetryTopic(topic);
  if (!t.ok) return dead(t.reason);
  const p = parsePayload(t.channel, payload);
  if (!p.ok) return dead(p.reason);
  return checkedRows(t.path, p.value, ctx, dead, t.key);
}

// Valid telemetry topics as parsed, with their machine key: a plant sends on a bounded set of topics, so
// each is split and checked once, not per message. Bounded: cleared when it outgrows any plausible plant.
const topicCache = new Map<string, { ok: true; path: MachinePath; channel: TelemetryChannel; key: string }>();

function telemetryTopic(topic: string): ReturnType<typeof parseTelemetryTopic> & { key?: string } {
  const hit = topicCache.get(topic);
  if (hit) return hit;
  const t = parseTelemetryTopic(topic);
  if (!t.ok) return t;
  if (topicCache.size >= 100_000) topicCache.clear();
  const known = { ...t, key: machineKey(t.path) };
  topicCache.set(topic, known);
  return known;
}

/** An Andon message of a machine: known machine, plausible timestamp, then its rows (and a late mark). */
export function checkedRows(
  path: MachinePath,
  value: Telemetry,
  ctx: MappingContext,
  dead: (reason: string) => Mapped,
  key: string = machineKey(path),
): Mapped {
  if (!ctx.isKnownMachine(key)) return dead(`unknown machine ${key} (not in the asset model)`);
  // the contract bounds ts (lib/contract/timestamp.ts); the plausibility window is this worker's
  const ts = value.msg.ts;
  if (ts > ctx.nowMicros + ctx.maxFutureMicros) {
    return dead(`timestamp ${isoOrNumber(ts)} is more than ${ctx.maxFutureMicros / 1e6} s in the future`);
  }
  if (ts < ctx.nowMicros - ctx.maxAgeMicros) {
    return dead(`timestamp ${isoOrNumber(ts)} is older than ${ctx.maxAgeMicros / 1e6} s`);
  }
  const rows = telemetryRows(path, value, key);
  if (isLate(value.channel, ts, ctx.nowMicros)) rows.push(lateMark(path, value.channel, ts, key));
  return { ok: true, channel: value.channel, rows };
}

/** One row per machine and event minute (DEDUP), read by the OEE worker to recompute what it touches (lib/domain/oee/late.ts). */
function lateMark(path: MachinePath, channel: TelemetryChannel, tsMicros: number, key: string): Row {
  return {
    table: TABLES.oeeLate,
    symbols: withSymbols(machineSymbols(path, key), ["channel", channel]),
    fields: [STORED_AT],
    ts: lateMarkMicros(tsMicros),
  };
}

/**
 * A 52-bit hash of (state, code, reason), stored with each state row so QuestDB can find state
 * changes by comparing one number with the row before (a collision between two consecutive
 * states of one machine has a chance of 2^-52).
 */
export function stateKey(state: string | undefined, code: number | undefined, reason: string | undefined): number {
  const text = `${state ?? ""}\u0000${code ?? ""}\u0000${reason ?? ""}`;
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  return (a >>> 0) * 0x100000 + ((b >>> 0) & 0xfffff);
}

// The symbols of a machine's rows, built once per machine and per extra symbol (mode, sensor, ...): rows
// share them (nothing changes a row's symbols), so a message allocates none, and the ILP encoder encodes
// each shared list once (lib/adapters/questdb/ilp.ts). Bounded: cleared when they outgrow any plausible
// plant (a machine must be in the asset model to get here; its extra symbols are checked by the contract).
interface MachineSymbols {
  path: readonly [string, string][];
  extra: Map<string, [string, string][]>;
}
const symbolCache = new Map<string, MachineSymbols>();
const MAX_EXTRA = 1024;

function machineSymbols(p: MachinePath, key: string): MachineSymbols {
  let s = symbolCache.get(key);
  if (!s) {
    if (symbolCache.size >= 100_000) symbolCache.clear();
    s = {
      path: [
        ["enterprise", p.enterprise],
        ["site", p.site],
        ["area", p.area],
        ["line", p.line],
        ["machine", p.machine],
      ],
      extra: new Map(),
    };
    symbolCache.set(key, s);
  }
  return s;
}

/** The path symbols and one or two more, one shared list per machine and values. */
function withSymbols(m: MachineSymbols, a: [string, string], b?: [string, string]): [string, string][] {
  const key = b ? `${a[0]}\u0000${a[1]}\u0000${b[0]}\u0000${b[1]}` : `${a[0]}\u0000${a[1]}`;
  let out = m.extra.get(key);
  if (!out) {
    if (m.extra.size >= MAX_EXTRA) m.extra.clear();
    out = m.path.slice() as [string, string][];
    out.push(a);
    if (b) out.push(b);
    m.extra.set(key, out);
  }
  return out;
}

/** Adds a float or int field when the value is present (pushes: no array per optional field). */
function opt(fields: Field[], kind: "float" | "int", name: string, value: number | undefined): void {
  if (value !== undefined) fields.push({ kind, name, value });
}

/**
 * Telemetry's and late marks' `received_at` is when the row was stored (the writer stamps it on the
 * attempt that lands it), so a message held through a QuestDB outage is seen as new by the readers
 * that follow these tables by it (rows.ts, "storedAt"). Dead letters keep the time they came in.
 */
const STORED_AT: Field = { kind: "storedAt", name: "received_at" };

export function telemetryRows(path: MachinePath, t: Telemetry, key: string = machineKey(path)): Row[] {
  const machine = machineSymbols(path, key);
  const symbols = machine.path;
  const symbolsWith = (a: [string, string], b?: [string, string]) => withSymbols(machine, a, b);
  switch (t.channel) {
    case "state": {
      const m = t.msg;
      const fields: Field[] = [];
      opt(fields, "int", "code", m.code);
      if (m.reason) fields.push({ kind: "string", name: "reason", value: m.reason });
      fields.push({ kind: "int", name: "state_key", value: stateKey(m.state, m.code, m.reason || undefined) }, STORED_AT);
      const syms = m.state ? symbolsWith(["state", m.state]) : (symbols as [string, string][]);
      return [{ table: TABLES.state, symbols: syms, fields, ts: m.ts }];
    }
    case "counts": {
      const m = t.msg;
      const fields: Field[] = [
        { kind: "int", name: "total", value: m.total },
        { kind: "int", name: "reject", value: m.reject },
      ];
      opt(fields, "int", "counter_max", m.counter_max);
      fields.push(STORED_AT);
      return [{ table: TABLES.counts, symbols: symbolsWith(["mode", m.mode]), fields, ts: m.ts }];
    }
    case "vibration": {
      const m = t.msg;
      const fields: Field[] = [];
      opt(fields, "float", "velocity_rms_mm_s", m.velocity_rms_mm_s);
      opt(fields, "float", "accel_rms_g", m.accel_rms_g);
      opt(fields, "float", "accel_peak_g", m.accel_peak_g);
      opt(fields, "float", "crest_factor", m.crest_factor);
      opt(fields, "float", "kurtosis", m.kurtosis);
      opt(fields, "float", "temperature_c", m.temperature_c);
      opt(fields, "float", "speed_rpm", m.speed_rpm);
      fields.push(STORED_AT);
      return [{ table: TABLES.vibration, symbols: symbolsWith(["sensor", m.sensor]), fields, ts: m.ts }];
    }
    case "waveform": {
      const m = t.msg;
      const fields: Field[] = [{ kind: "float", name: "sample_rate_hz", value: m.sample_rate_hz }];
      opt(fields, "float", "speed_rpm", m.speed_rpm);
      fields.push({ kind: "int", name: "sample_count", value: m.samples.length }, { kind: "array", name: "samples", value: m.samples }, STORED_AT);
      return [{ table: TABLES.waveform, symbols: symbolsWith(["sensor", m.sensor], ["unit", m.unit]), fields, ts: m.ts }];
    }
    case "metrics": {
      const m = t.msg;
      return m.metrics.map((x) => ({
        table: TABLES.metrics,
        symbols: x.unit ? symbolsWith(["name", x.name], ["unit", x.unit]) : symbolsWith(["name", x.name]),
        fields: [{ kind: "float", name: "value", value: x.value }, STORED_AT],
        ts: m.ts,
      }));
    }
  }
}

/** Bytes of a dead letter's payload kept (base64) with it; its size and SHA-256 are always kept. */
export const DEAD_LETTER_PREFIX_BYTES = 4096;

/**
 * Dead letters keep the first DEAD_LETTER_PREFIX_BYTES bytes (base64, all of a typical message), the
 * size and the SHA-256 of the whole payload, so a batch of them stays small whatever was sent. They
 * are keyed by the message's own timestamp when it has a plausible one, so a redelivered bad message
 * lands once; otherwise by the time it was received. Never throws.
 */
export function deadLetterRow(topic: string, payload: Uint8Array, reason: string, ctx: MappingContext, ownTsMs?: number): Row {
  const buf = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  let ts = ctx.nowMicros;
  try {
    // a binary message's own time (Sparkplug's payload timestamp) comes from its decoder
    const o = (ownTsMs === undefined ? JSON.parse(buf.toString("utf8")) : { ts: ownTsMs }) as Record<string, unknown> | null;
    // Andon's `ts`, or a UMH message's own time (lib/contract/umh.ts), so a redelivered one lands once
    const parsed = parseTimestamp(o?.ts ?? o?.timestamp_ms ?? o?.start_time_unix_ms ?? o?.end_time_unix_ms);
    const plausible = typeof parsed === "number" && parsed <= ctx.nowMicros + ctx.maxFutureMicros && parsed >= ctx.nowMicros - ctx.maxAgeMicros;
    if (plausible) ts = parsed;
  } catch {
    // not JSON (or not an object): keyed by the time it was received
  }
  return {
    table: TABLES.deadLetters,
    symbols: [
      ["payload_sha256", createHash("sha256").update(buf).digest("hex")],
      ["worker", ctx.worker],
    ],
    fields: [
      { kind: "string", name: "topic", value: topic.slice(0, 1024) },
      { kind: "string", name: "reason", value: bounded(reason, 2000) },
      { kind: "string", name: "payload_b64", value: buf.subarray(0, DEAD_LETTER_PREFIX_BYTES).toString("base64") },
      { kind: "int", name: "payload_bytes", value: buf.length },
      { kind: "timestamp", name: "received_at", micros: ctx.nowMicros },
    ],
    ts,
  };
}

// One Sparkplug B message to the rows it becomes (through the host's session and the admins' mapping),
// the dead letter for what of it Andon cannot take, and the rebirth request to publish when the host
// missed something. Pure apart from the host's in-memory session (lib/features/ingest/sparkplug-session.ts).
import type { Row } from "#lib/adapters/questdb/rows.ts";
import { validateTelemetry } from "#lib/contract/payloads.ts";
import { bounded } from "#lib/contract/preview.ts";
import { DataType, decodeSparkplug, encodeSparkplug, hasSeq, parseSparkplugTopic, type SparkplugTopic, sparkplugTopic } from "#lib/contract/sparkplug.ts";
import { checkedRows, deadLetterRow, type Mapped, type MappingContext } from "./mapping.ts";
import { type CommandReport, type MappingIndex, machinesOf, translateReadings } from "./sparkplug-mapping.ts";
import type { SparkplugHost } from "./sparkplug-session.ts";

export interface SparkplugOutcome {
  rows: Row[];
  /** The dead letter's reason, when part or all of the message was not stored. */
  deadReason?: string;
  /** Command metrics the device reported (lib/features/ingest/sparkplug-commands.ts answers the command they complete). */
  commandReports?: CommandReport[];
  /** An NCMD `Node Control/Rebirth` to publish, and why. */
  rebirth?: { topic: string; payload: Uint8Array; reason: string };
}

/** The NCMD that asks an edge node to publish its births again (Sparkplug 3.0). */
export function rebirthCommand(group: string, edgeNode: string, nowMs: number): { topic: string; payload: Uint8Array } {
  return {
    topic: sparkplugTopic({ group, type: "NCMD", edgeNode }),
    payload: encodeSparkplug({
      timestamp: BigInt(nowMs),
      metrics: [{ name: "Node Control/Rebirth", timestamp: BigInt(nowMs), datatype: DataType.Boolean, value: { case: "booleanValue", value: true } }],
    }),
  };
}

export function mapSparkplug(topic: string, payload: Uint8Array, host: SparkplugHost, index: MappingIndex, ctx: MappingContext): SparkplugOutcome {
  const nowMs = Math.floor(ctx.nowMicros / 1000);
  const dead = (reason: string, tsMs?: number): SparkplugOutcome => ({ rows: [deadLetterRow(topic, payload, reason, ctx, tsMs)], deadReason: reason });
  const t = parseSparkplugTopic(topic);
  if (!t.ok) return dead(t.reason);
  const d = decodeSparkplug(payload);
  if (!d.ok) return dead(d.reason);
  const p = d.payload;
  // protobuf takes much as an empty message (e.g. a bad length prefix); a Sparkplug message without its seq is not one
  if (!hasSeq(p) && (t.topic.type.endsWith("BIRTH") || t.topic.type.endsWith("DATA") || t.topic.type === "DDEATH")) {
    return dead(`Sparkplug B: ${t.topic.type} payload has no seq (not a Sparkplug payload, or a malformed one)`);
  }
  const ownTs = p.timestamp > 0n ? Number(p.timestamp) : undefined;
  const event = host.receive(t.topic, p, nowMs);
  const rebirth = (reason: string | undefined) => (reason ? { rebirth: { ...rebirthCommand(t.topic.group, t.topic.edgeNode, nowMs), reason } } : {});
  if (event.kind === "ignored") {
    // commands are not data and not faults; everything else ignored is said in a dead letter
    if (t.topic.type === "NCMD" || t.topic.type === "DCMD") return { rows: [] };
    return { ...dead(event.reason, ownTs), ...rebirth(event.rebirth) };
  }
  const where = describe(t.topic);
  const rows: Row[] = [];
  const reasons: string[] = [];
  const commandReports: CommandReport[] = [];
  const collect = (m: Mapped) => {
    if (m.ok) rows.push(...m.rows);
    else reasons.push(m.reason);
  };
  const refuse = (reason: string): Mapped => ({ ok: false, reason, deadLetter: deadLetterRow(topic, payload, reason, ctx) });
  if (event.kind === "death") {
    // the machines fed by this node (or device) are offline: their state is unknown from now on
    const why = event.device !== undefined ? `Sparkplug DDEATH of ${where}` : `Sparkplug NDEATH of ${where}`;
    const offline = validateTelemetry("state", { v: 1, ts: nowMs, state: "unknown", reason: bounded(why, 200) });
    if (!offline.ok) reasons.push(offline.reason);
    else for (const path of machinesOf(index, t.topic.group, t.topic.edgeNode, event.device)) collect(checkedRows(path, offline.value, ctx, refuse));
  } else {
    const tr = translateReadings(
      index,
      { group: t.topic.group, edgeNode: t.topic.edgeNode, device: event.device ?? "" },
      event.readings,
      event.last,
      event.birth,
      event.replay,
    );
    for (const m of tr.messages) collect(checkedRows(m.path, m.telemetry, ctx, refuse));
    commandReports.push(...tr.commandReports);
    if (tr.unmapped.length) reasons.push(`Sparkplug ${t.topic.type} of ${where}: metrics not mapped to a machine: ${bounded(tr.unmapped.join(", "), 500)}`);
    reasons.push(...tr.refused.map((r) => `Sparkplug ${t.topic.type} of ${where}: ${r}`));
    if (event.problems.length) reasons.push(`Sparkplug ${t.topic.type} of ${where}: ${bounded(event.problems.join("; "), 500)}`);
    if (event.rebirth) reasons.push(event.rebirth);
  }
  const extra = { ...rebirth(event.kind === "values" ? event.rebirth : undefined), ...(commandReports.length ? { commandReports } : {}) };
  if (!reasons.length) return { rows, ...extra };
  const deadReason = bounded(reasons.join(" | "), 1800);
  rows.push(deadLetterRow(topic, payload, deadReason, ctx, ownTs));
  return { rows, deadReason, ...extra };
}

const describe = (t: SparkplugTopic) => `${t.group}/${t.edgeNode}${t.device !== undefined ? `/${t.device}` : ""}`;

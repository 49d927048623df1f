// Sparkplug B (spBv1.0, Sparkplug 3.0) topics and payloads: parsing a topic, decoding a payload with the
// code generated from proto/sparkplug_b.proto (@bufbuild/protobuf; `npm run gen:sparkplug`), and a metric's
// value as a JavaScript value. Spec and examples: docs/mqtt.md, "Sparkplug B". Pure: no I/O.
import { create, fromBinary, isFieldSet, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { DataType, type Payload, type Payload_Metric, Payload_MetricSchema, PayloadSchema } from "./generated/sparkplug_b_pb.ts";
import { bounded, preview } from "./preview.ts";

export { DataType, type Payload, type Payload_Metric };
/** A metric as `encodeSparkplug` takes it. */
export type MetricInit = MessageInitShape<typeof Payload_MetricSchema>;

export const SPARKPLUG_NAMESPACE = "spBv1.0";
export const isSparkplugTopic = (topic: string) => topic.startsWith(`${SPARKPLUG_NAMESPACE}/`);

export const SPARKPLUG_TYPES = ["NBIRTH", "NDEATH", "DBIRTH", "DDEATH", "NDATA", "DDATA", "NCMD", "DCMD"] as const;
export type SparkplugType = (typeof SPARKPLUG_TYPES)[number];

/** Sparkplug's rule for group, edge node and device ids (and the host id): no '/', '+' or '#', not empty. */
const SP_ID = /^[^/+#]{1,128}$/;
export const isSparkplugId = (s: string) => SP_ID.test(s);

export interface SparkplugTopic {
  group: string;
  type: SparkplugType;
  edgeNode: string;
  /** Only on D* messages. */
  device?: string;
}

/** The topics of one group that a host application subscribes to (STATE is the host's own, not subscribed). */
export const sparkplugGroupFilter = (group: string) => `${SPARKPLUG_NAMESPACE}/${group}/#`;
export const sparkplugStateTopic = (hostId: string) => `${SPARKPLUG_NAMESPACE}/STATE/${hostId}`;
export const sparkplugTopic = (t: SparkplugTopic) => `${SPARKPLUG_NAMESPACE}/${t.group}/${t.type}/${t.edgeNode}${t.device !== undefined ? `/${t.device}` : ""}`;

export function parseSparkplugTopic(topic: string): { ok: true; topic: SparkplugTopic } | { ok: false; reason: string } {
  if (!isSparkplugTopic(topic)) return { ok: false, reason: `not a Sparkplug B topic (they begin with ${SPARKPLUG_NAMESPACE}/)` };
  const parts = topic.split("/").slice(1);
  const [group = "", type = "", edgeNode = "", device] = parts;
  if (group === "STATE") return { ok: false, reason: "Sparkplug STATE message of a host application (not data)" };
  if (!(SPARKPLUG_TYPES as readonly string[]).includes(type))
    return { ok: false, reason: `Sparkplug message type ${preview(type)} is not one of ${SPARKPLUG_TYPES.join(", ")}` };
  const isDevice = type.startsWith("D");
  if (parts.length !== (isDevice ? 4 : 3)) {
    return { ok: false, reason: `Sparkplug ${type} topic must be ${SPARKPLUG_NAMESPACE}/<group>/${type}/<edge node>${isDevice ? "/<device>" : ""}` };
  }
  for (const [what, v] of [
    ["group", group],
    ["edge node", edgeNode],
    ["device", device],
  ] as const) {
    if (v !== undefined && !isSparkplugId(v)) return { ok: false, reason: `Sparkplug ${what} id ${preview(v)} is not valid` };
  }
  return { ok: true, topic: { group, type: type as SparkplugType, edgeNode, ...(isDevice ? { device } : {}) } };
}

/** Decodes a Sparkplug B payload. Never throws; the reason says why the bytes are not one. */
export function decodeSparkplug(raw: Uint8Array): { ok: true; payload: Payload } | { ok: false; reason: string } {
  try {
    return { ok: true, payload: fromBinary(PayloadSchema, raw) };
  } catch (e) {
    return { ok: false, reason: `Sparkplug B: not a valid protobuf payload: ${bounded(String((e as Error)?.message ?? e), 200)}` };
  }
}

/** Sparkplug requires a sequence number on every message of an edge node but NDEATH (and the host's commands). */
export const hasSeq = (p: Payload) => isFieldSet(p, PayloadSchema.field.seq);

export const encodeSparkplug = (p: Parameters<typeof create<typeof PayloadSchema>>[1]) => toBinary(PayloadSchema, create(PayloadSchema, p));

/**
 * What a Sparkplug command (DCMD, NCMD for the node's own metric) writes for an Andon command: the speed of
 * a speed command, the alarm code of an HMI acknowledgement, else true (docs/mqtt.md, Sparkplug B commands).
 */
export function commandValue(params: Record<string, unknown>): number | string | boolean {
  if (typeof params.speed_pct === "number") return params.speed_pct;
  if (typeof params.alarm_code === "string") return params.alarm_code;
  return true;
}

export function commandPayload(metric: string, value: number | string | boolean, nowMs: number): Uint8Array {
  const v =
    typeof value === "number"
      ? { datatype: DataType.Double, value: { case: "doubleValue" as const, value } }
      : typeof value === "string"
        ? { datatype: DataType.String, value: { case: "stringValue" as const, value } }
        : { datatype: DataType.Boolean, value: { case: "booleanValue" as const, value } };
  return encodeSparkplug({ timestamp: BigInt(nowMs), metrics: [{ name: metric, timestamp: BigInt(nowMs), ...v }] });
}

/** The metric's alias, or undefined when it has none (alias 0 is a valid alias: presence, not value). */
export const aliasOf = (m: Payload_Metric): bigint | undefined => (isFieldSet(m, Payload_MetricSchema.field.alias) ? m.alias : undefined);
export const nameOf = (m: Payload_Metric): string | undefined => (isFieldSet(m, Payload_MetricSchema.field.name) ? m.name : undefined);
export const metricTimestampMs = (m: Payload_Metric): bigint | undefined => (isFieldSet(m, Payload_MetricSchema.field.timestamp) ? m.timestamp : undefined);

export type MetricValue = number | boolean | string | null;

const SIGNED_BITS: Partial<Record<DataType, bigint>> = { [DataType.Int8]: 8n, [DataType.Int16]: 16n, [DataType.Int32]: 32n, [DataType.Int64]: 64n };

/**
 * A scalar metric's value: numbers (integers within 2^53 exactly; a larger 64-bit integer is refused
 * rather than rounded), booleans, strings; null when is_null. Signed types are carried in unsigned fields
 * (two's complement, as the spec says) and are sign-extended here. Arrays, data sets, templates and bytes
 * are not values Andon stores: a reason.
 */
export function metricValue(m: Payload_Metric, datatype: number): { ok: true; value: MetricValue } | { ok: false; reason: string } {
  if (m.isNull) return { ok: true, value: null };
  const v = m.value;
  switch (v.case) {
    case "intValue":
    case "longValue": {
      let n = BigInt(v.value);
      const bits = SIGNED_BITS[datatype as DataType];
      if (bits !== undefined) n = BigInt.asIntN(Number(bits), n);
      if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) {
        return { ok: false, reason: `integer ${n} is beyond 2^53 (Andon stores it as a double and would round it)` };
      }
      return { ok: true, value: Number(n) };
    }
    case "floatValue":
    case "doubleValue":
      return { ok: true, value: v.value };
    case "booleanValue":
    case "stringValue":
      return { ok: true, value: v.value };
    case undefined:
      return { ok: false, reason: "metric has no value" };
    default:
      return { ok: false, reason: `metric value of kind ${v.case} (${DataType[datatype] ?? datatype}) is not stored by Andon` };
  }
}

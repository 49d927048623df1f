// From a Sparkplug edge node's metrics to Andon messages, through the admins' mapping
// (group / edge node / device / metric -> machine, channel and field; PostgreSQL, lib/adapters/db/sparkplug-mappings.ts).
// Pure: the mapping and the host's event come in, validated Andon messages and reasons go out.
import { COMMAND_TYPE_NAMES } from "#lib/contract/commands.ts";
import { type MachinePath, parseMachineKey } from "#lib/contract/identity.ts";
import { type Telemetry, VIBRATION_FEATURES, validateTelemetry } from "#lib/contract/payloads.ts";
import type { MetricValue } from "#lib/contract/sparkplug.ts";
import type { LastValue, Reading } from "./sparkplug-session.ts";

/** Andon's channels, and `command`: the metric a DCMD writes for an Andon command type (field) of the machine. */
export const SPARKPLUG_CHANNELS = ["state", "counts", "vibration", "metrics", "command"] as const;
export type SparkplugChannel = (typeof SPARKPLUG_CHANNELS)[number];

export interface SparkplugMapping {
  group: string;
  edgeNode: string;
  /** "" for a metric of the edge node itself. */
  device: string;
  metric: string;
  /** The machine's key, enterprise/site/area/line/machine. */
  machine: string;
  channel: SparkplugChannel;
  /**
   * state: "" (a string is a state name, a number a state code, a boolean running/stopped); counts: "total"
   * or "reject" (cumulative counters); vibration: one of VIBRATION_FEATURES; metrics: the Andon metric name.
   */
  field: string;
}

/** A stored row (its channel a string) as a mapping: the row is used only when mappingProblem finds nothing. */
export type StoredMapping = Omit<SparkplugMapping, "channel"> & { channel: string };

/** Why a mapping row cannot be used, or undefined. */
export function mappingProblem(m: StoredMapping): string | undefined {
  if (!(SPARKPLUG_CHANNELS as readonly string[]).includes(m.channel)) return `channel ${m.channel} is not one of ${SPARKPLUG_CHANNELS.join(", ")}`;
  const k = parseMachineKey(m.machine);
  if (!k.ok) return `machine ${m.machine} is not enterprise/site/area/line/machine`;
  if (m.channel === "state" && m.field !== "") return "a state mapping has no field";
  if (m.channel === "counts" && m.field !== "total" && m.field !== "reject") return "a counts mapping's field is total or reject";
  if (m.channel === "vibration" && !(VIBRATION_FEATURES as readonly string[]).includes(m.field))
    return `a vibration field is one of ${VIBRATION_FEATURES.join(", ")}`;
  if (m.channel === "metrics" && !/^[a-z][a-z0-9_.]{0,99}$/.test(m.field)) return "a metric name is lower-case a-z 0-9 _ . (1-100)";
  if (m.channel === "command" && !(COMMAND_TYPE_NAMES as readonly string[]).includes(m.field))
    return `a command field is one of ${COMMAND_TYPE_NAMES.join(", ")}`;
  return undefined;
}

export const mappingKey = (group: string, edgeNode: string, device: string, metric: string) => `${group}\u0000${edgeNode}\u0000${device}\u0000${metric}`;

export type MappingIndex = Map<string, SparkplugMapping>;
export const indexMappings = (ms: readonly StoredMapping[]): MappingIndex =>
  new Map(ms.filter((m): m is SparkplugMapping => !mappingProblem(m)).map((m) => [mappingKey(m.group, m.edgeNode, m.device, m.metric), m]));

/** Sparkplug's own bookkeeping metrics: never data, never dead-lettered as unmapped. */
export const isControlMetric = (name: string) => name === "bdSeq" || /^(Node Control|Device Control|Node Info|Device Info|Properties)\//.test(name);

export interface Translated {
  messages: { path: MachinePath; telemetry: Telemetry }[];
  /** Metric names with no mapping. */
  unmapped: string[];
  /** Mapped metrics whose value the channel refused, with the reason. */
  refused: string[];
  /** Values of command metrics in data (not births): what the device reports after a DCMD. */
  commandReports: CommandReport[];
}

export interface CommandReport {
  machine: string;
  type: string;
  value: MetricValue;
}

const numeric = (v: MetricValue): number | undefined => (typeof v === "number" ? v : typeof v === "boolean" ? (v ? 1 : 0) : undefined);

/**
 * The Andon messages of one birth or data message of a node (device "" ) or device: readings grouped by
 * machine, channel and timestamp, each group one message (counts complete a total or reject from the
 * metric's last known value, as a data message holds only what changed).
 */
export function translateReadings(
  index: MappingIndex,
  at: { group: string; edgeNode: string; device: string },
  readings: readonly Reading[],
  last: (metric: string) => LastValue | undefined,
  birth = false,
  replay = false,
): Translated {
  const out: Translated = { messages: [], unmapped: [], refused: [], commandReports: [] };
  const groups = new Map<string, { m: SparkplugMapping; ts: number; items: { m: SparkplugMapping; r: Reading }[] }>();
  for (const r of readings) {
    // Sparkplug's own metrics, and null values (is_null: no value now, e.g. in a birth before the first reading)
    if (isControlMetric(r.name) || r.value === null) continue;
    const m = index.get(mappingKey(at.group, at.edgeNode, at.device, r.name));
    if (!m) {
      out.unmapped.push(r.name);
      continue;
    }
    if (m.channel === "command") {
      if (!birth) out.commandReports.push({ machine: m.machine, type: m.field, value: r.value });
      continue;
    }
    const k = `${m.machine}\u0000${m.channel}\u0000${r.tsMs}`;
    const g = groups.get(k) ?? { m, ts: r.tsMs, items: [] };
    g.items.push({ m, r });
    groups.set(k, g);
  }
  const counterpart = (m: SparkplugMapping, field: string) =>
    [...index.values()].find(
      (x) =>
        x.machine === m.machine && x.channel === "counts" && x.field === field && x.group === m.group && x.edgeNode === m.edgeNode && x.device === m.device,
    );
  for (const { m, ts, items } of groups.values()) {
    const k = parseMachineKey(m.machine);
    if (!k.ok) continue;
    const path = k.path;
    const names = items.map((i) => i.r.name).join(", ");
    let msg: Record<string, unknown>;
    if (m.channel === "state") {
      const v = items[items.length - 1]!.r.value;
      msg = typeof v === "string" ? { state: v } : typeof v === "boolean" ? { state: v ? "running" : "stopped" } : { code: v };
    } else if (m.channel === "counts") {
      // the counter not in this group has the value it last had, if that is not newer than this group's time
      let newer: string | undefined;
      const value = (field: string) => {
        const own = items.find((i) => i.m.field === field);
        if (own) return numeric(own.r.value);
        const other = counterpart(m, field);
        const l = other ? last(other.metric) : undefined;
        if (other && l && l.tsMs > ts) newer = other.metric;
        return l && l.tsMs <= ts ? numeric(l.value) : undefined;
      };
      const [total, reject] = [value("total"), value("reject")];
      if (newer !== undefined) {
        // a birth restating an older value (its counterpart moved on since), or a replay: already stored when it was new
        if (!birth && !replay)
          out.refused.push(`${names} at ${new Date(ts).toISOString()} is older than the last value of ${newer} (counts need both at one time)`);
        continue;
      }
      msg = { mode: "cumulative", total, ...(reject !== undefined ? { reject } : {}) };
    } else if (m.channel === "vibration") {
      msg = Object.fromEntries(items.map((i) => [i.m.field, numeric(i.r.value)]));
    } else {
      const metrics = items.flatMap((i) => {
        const value = numeric(i.r.value);
        return value === undefined ? [] : [{ name: i.m.field, value }];
      });
      const strings = items.filter((i) => numeric(i.r.value) === undefined).map((i) => i.r.name);
      if (strings.length) out.refused.push(`${strings.join(", ")} -> metrics: not a number`);
      if (!metrics.length) continue;
      msg = { metrics };
    }
    if (m.channel === "command") continue; // not reached: command metrics are taken out above
    const v = validateTelemetry(m.channel, { v: 1, ts, ...msg });
    if (v.ok) out.messages.push({ path, telemetry: v.value });
    else out.refused.push(`${names} -> ${m.machine} ${m.channel}: ${v.reason}`);
  }
  return out;
}

/** The machines whose data comes from this edge node (or only this device): they go offline with it. */
export function machinesOf(index: MappingIndex, group: string, edgeNode: string, device?: string): MachinePath[] {
  const keys = new Set(
    [...index.values()].filter((m) => m.group === group && m.edgeNode === edgeNode && (device === undefined || m.device === device)).map((m) => m.machine),
  );
  return [...keys].flatMap((k) => {
    const p = parseMachineKey(k);
    return p.ok ? [p.path] : [];
  });
}

// What the forwarder sends: one JSON record per stored row, keyed by the machine's path
// (enterprise/site/area/line/machine), so one machine's records stay in order on one partition.
// Every value carries `schema` (which record it is), `version` (of that schema: fields are only
// added within a version) and `id`, the row's identity: a record sent twice (at-least-once) has the
// same id, so a consumer drops repeats by it. docs/deployment.md "Forwarding to Kafka" lists the fields.
import type { alertsChangedIn, commandEventsIn } from "#lib/adapters/db/forward.ts";
import type { KafkaRecord } from "#lib/adapters/kafka/producer.ts";
import { FORWARDED_TABLES, type ForwardedTable, type QuestRow } from "#lib/adapters/questdb/forward.ts";

export const SCHEMA_VERSION = 1;

/** Topic names without the KAFKA_TOPIC_PREFIX, per stream. */
export const TOPICS = {
  state: "telemetry.state",
  counts: "telemetry.counts",
  vibration: "telemetry.vibration",
  metrics: "telemetry.metrics",
  oee: "oee.machine",
  alerts: "alerts",
  commands: "commands",
} as const;
export type StreamName = keyof typeof TOPICS;

/** Microseconds since the epoch (as QuestDB's LONG cast gives them) as an ISO 8601 instant with 6 decimals. */
export function isoMicros(us: string | number | null | undefined): string | null {
  if (us === null || us === undefined) return null;
  const n = BigInt(us);
  const ms = n / 1000n;
  const rest = Number(n - ms * 1000n);
  return `${new Date(Number(ms)).toISOString().slice(0, 23)}${String(rest).padStart(3, "0")}Z`;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** Telemetry and OEE rows of QuestDB into records of `topic`. */
export function questRecords(which: ForwardedTable, topic: string, rows: QuestRow[]): KafkaRecord[] {
  const t = FORWARDED_TABLES[which];
  return rows.map((r) => {
    const path = { enterprise: String(r.enterprise), site: String(r.site), area: String(r.area), line: String(r.line), machine: String(r.machine) };
    const machine = `${path.enterprise}/${path.site}/${path.area}/${path.line}/${path.machine}`;
    const fields: Record<string, unknown> = {};
    for (const c of t.columns) {
      const v = r[c];
      // LONG columns arrive as strings: numbers in the record (counts stay far below 2^53)
      fields[c] = typeof v === "string" && /^(total|reject|counter_max|startup_reject|good|failures)$/.test(c) ? num(v) : (v ?? null);
    }
    const extra: Record<string, unknown> = {};
    if ("extraTimes" in t) for (const c of t.extraTimes) if (c !== "computed_at") extra[c] = isoMicros(r[`${c}_us`] as string | null);
    // an OEE record says when it was computed (the forwarder follows the table by when it was stored)
    const [storedKey, storedUs] = which === "oee" ? ["computedAt", r.computed_at_us as string] : ["receivedAt", r.stored_us];
    const sub =
      which === "vibration" ? `:${String(r.sensor)}` : which === "metrics" ? `:${String(r.name)}` : which === "oee" ? `:${String(r.granularity)}` : "";
    // a bucket is recomputed: its id names the computation (computed_at), resent copies keep it
    const id = `${which}:${machine}:${r.ts_us}${sub}${which === "oee" ? `@${r.computed_at_us}` : ""}`;
    const value = {
      schema: `andon.${TOPICS[which]}`,
      version: SCHEMA_VERSION,
      id,
      path: machine,
      ...path,
      ts: isoMicros(r.ts_us),
      ...extra,
      ...fields,
      [storedKey]: isoMicros(storedUs),
    };
    return { topic, key: machine, value: JSON.stringify(value) };
  });
}

type AlertRow = Awaited<ReturnType<typeof alertsChangedIn>>[number];
type CommandEventRow = Awaited<ReturnType<typeof commandEventsIn>>[number];

/** An alert as it is after a change (raised, seen again, acknowledged, resolved, cleared). */
export function alertRecords(topic: string, rows: AlertRow[]): KafkaRecord[] {
  return rows.map((a) => {
    const { id: alertId, machineKey, siteKey, ...rest } = a;
    const value = {
      schema: "andon.alerts",
      version: SCHEMA_VERSION,
      id: `alert:${alertId}@${a.updatedAt.toISOString()}`,
      alertId,
      path: machineKey,
      site: siteKey,
      ...rest,
    };
    return { topic, key: machineKey, value: JSON.stringify(value) };
  });
}

/** A command's status change (created, queued, sent, accepted, completed, ...). */
export function commandRecords(topic: string, rows: CommandEventRow[]): KafkaRecord[] {
  return rows.map((e) => {
    const c = e.command;
    const value = {
      schema: "andon.commands",
      version: SCHEMA_VERSION,
      id: `command-event:${e.id}`,
      commandId: e.commandId,
      path: c.machineKey,
      site: c.siteKey,
      type: c.type,
      params: c.params,
      from: e.from,
      to: e.to,
      actor: e.actor,
      reason: e.reason,
      at: e.at.toISOString(),
      requestedBy: c.requestedBy,
      origin: c.origin,
      alertId: c.alertId,
    };
    return { topic, key: c.machineKey, value: JSON.stringify(value) };
  });
}

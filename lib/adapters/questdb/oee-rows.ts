// The rows the OEE jobs write: one per machine and bucket (oee_machine), one per line, site or
// enterprise and bucket (oee_rollup). DEDUP keys make a recomputed bucket replace its row. A row
// QuestDB refused for good is described, and kept as a dead letter, here too.
import { createHash } from "node:crypto";
import type { MachinePath } from "#lib/contract/identity.ts";
import type { RefusedOeeRow } from "#lib/contract/jobs/oee.ts";
import type { Bucket, Granularity } from "#lib/domain/oee/buckets.ts";
import type { OeeResult } from "#lib/domain/oee/types.ts";
import type { Field, Row } from "./rows.ts";
import { TABLES } from "./tables.ts";

export function oeeFields(r: OeeResult, bucketEndMs: number, computedAtMs: number): Field[] {
  const e = r.elements;
  const f = (name: string, value: number): Field => ({ kind: "float", name, value });
  const i = (name: string, value: number): Field => ({ kind: "int", name, value });
  const k = (name: string, value: number | null): Field[] => (value === null ? [] : [f(name, value)]);
  return [
    { kind: "timestamp", name: "bucket_end", micros: bucketEndMs * 1000 },
    f("calendar_s", e.calendarS),
    f("planned_busy_s", e.plannedBusyS),
    f("breakdown_s", e.breakdownS),
    f("setup_s", e.setupS),
    f("other_stop_s", e.otherStopS),
    f("run_s", e.runS),
    f("small_stop_s", e.smallStopS),
    f("net_run_s", e.netRunS),
    f("fully_productive_s", e.fullyProductiveS),
    f("data_gap_s", e.dataGapS),
    i("total", e.total),
    i("reject", e.reject),
    i("startup_reject", e.startupReject),
    i("good", e.good),
    i("failures", e.failures),
    ...k("availability", r.kpis.availability),
    ...k("performance", r.kpis.performance),
    ...k("quality", r.kpis.quality),
    ...k("oee", r.kpis.oee),
    { kind: "string", name: "flags", value: r.flags.join(",") },
    { kind: "timestamp", name: "computed_at", micros: computedAtMs * 1000 },
    // when the row landed (the writer stamps it): the Kafka forwarder follows the table by it
    { kind: "storedAt", name: "stored_at" },
  ];
}

/** The row of one machine's bucket, computed with this ideal cycle time (s). */
export function machineOeeRow(g: Granularity, p: MachinePath, b: Bucket, r: OeeResult, computedAtMs: number, idealCycleTimeS: number): Row {
  return {
    table: TABLES.oeeMachine,
    symbols: [
      ["granularity", g],
      ["enterprise", p.enterprise],
      ["site", p.site],
      ["area", p.area],
      ["line", p.line],
      ["machine", p.machine],
      ["label", b.label],
      ["mapping_version", r.mappingVersion],
    ],
    fields: [...oeeFields(r, b.end, computedAtMs), { kind: "float", name: "ideal_cycle_s", value: idealCycleTimeS }],
    ts: b.start * 1000,
  };
}

/** The row of one roll-up bucket: `level` is line, site or enterprise, `key` its path. */
export function rollupOeeRow(g: Granularity, level: string, key: string, b: Bucket, r: OeeResult, computedAtMs: number): Row {
  return {
    table: TABLES.oeeRollup,
    symbols: [
      ["granularity", g],
      ["level", level],
      ["key", key],
      ["label", b.label],
      ["mapping_version", r.mappingVersion],
    ],
    fields: oeeFields(r, b.end, computedAtMs),
    ts: b.start * 1000,
  };
}

/** What a refused OEE row is (table, granularity, machine or roll-up, bucket), with QuestDB's reason. */
export function refusedOeeRow(row: Row, reason: string): RefusedOeeRow {
  const sym = new Map(row.symbols);
  const isMachine = row.table === TABLES.oeeMachine;
  const key = isMachine ? ["enterprise", "site", "area", "line", "machine"].map((k) => sym.get(k) ?? "").join("/") : (sym.get("key") ?? "");
  return {
    table: row.table,
    granularity: sym.get("granularity") ?? "",
    level: isMachine ? "machine" : (sym.get("level") ?? ""),
    key,
    bucket: new Date(row.ts / 1000).toISOString(),
    label: sym.get("label") ?? "",
    reason: reason.slice(0, 2000),
  };
}

/** Bytes of a refused row's values kept in its dead letter (all of an OEE row). */
const PAYLOAD_BYTES = 4096;

/**
 * The dead letter of a refused OEE row (ingest_dead_letters, worker "oee", shown on the ingest page):
 * topic `oee/<granularity>/<level>/<key>`, ts = the bucket's start, the payload the row's values as
 * JSON (without computed_at and stored_at, so the same row refused again by a later run replaces its
 * dead letter instead of adding one: DEDUP on ts, topic and the payload's hash).
 */
export function oeeDeadLetterRow(row: Row, refused: RefusedOeeRow, nowMs: number): Row {
  const values: Record<string, unknown> = Object.fromEntries(row.symbols);
  for (const f of row.fields) {
    if (f.kind === "storedAt" || f.name === "computed_at") continue;
    values[f.name] = f.kind === "timestamp" ? new Date(f.micros / 1000).toISOString() : f.value;
  }
  const payload = Buffer.from(JSON.stringify({ table: row.table, ts: refused.bucket, ...values }), "utf8");
  return {
    table: TABLES.deadLetters,
    symbols: [
      ["payload_sha256", createHash("sha256").update(payload).digest("hex")],
      ["worker", "oee"],
    ],
    fields: [
      { kind: "string", name: "topic", value: `oee/${refused.granularity}/${refused.level}/${refused.key}`.slice(0, 1024) },
      {
        kind: "string",
        name: "reason",
        value: `QuestDB refused the OEE row (${refused.table}, ${refused.granularity} ${refused.label}): ${refused.reason}`.slice(0, 2000),
      },
      { kind: "string", name: "payload_b64", value: payload.subarray(0, PAYLOAD_BYTES).toString("base64") },
      { kind: "int", name: "payload_bytes", value: payload.length },
      { kind: "timestamp", name: "received_at", micros: nowMs * 1000 },
    ],
    ts: row.ts,
  };
}

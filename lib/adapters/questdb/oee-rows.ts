// The rows the OEE jobs write: one per machine and bucket (oee_machine), one per line, site or
// enterprise and bucket (oee_rollup). DEDUP keys make a recomputed bucket replace its row.
import type { MachinePath } from "#lib/contract/identity.ts";
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

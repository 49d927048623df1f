// The Kafka forwarder's reads from QuestDB: the rows of one table stored in a time window
// (received_at for telemetry, stored_at for OEE buckets: both stamped by the writer on the attempt
// that landed the row, see rows.ts "storedAt"), oldest first, timestamps as
// microseconds since the epoch (exact, unlike a Date).
import type pg from "pg";
import { TABLES } from "./tables.ts";

const PATH = "enterprise, site, area, line, machine";

/** Per forwarded table: its stored-at column and the columns forwarded besides the path and ts. */
export const FORWARDED_TABLES = {
  state: { table: TABLES.state, storedAt: "received_at", columns: ["state", "code", "reason"] },
  counts: { table: TABLES.counts, storedAt: "received_at", columns: ["mode", "total", "reject", "counter_max"] },
  vibration: {
    table: TABLES.vibration,
    storedAt: "received_at",
    columns: ["sensor", "velocity_rms_mm_s", "accel_rms_g", "accel_peak_g", "crest_factor", "kurtosis", "temperature_c", "speed_rpm"],
  },
  metrics: { table: TABLES.metrics, storedAt: "received_at", columns: ["name", "value", "unit"] },
  oee: {
    table: TABLES.oeeMachine,
    // rows written before stored_at existed: their computed_at
    storedAt: "coalesce(stored_at, computed_at)",
    columns: [
      "granularity",
      "label",
      "mapping_version",
      "calendar_s",
      "planned_busy_s",
      "breakdown_s",
      "setup_s",
      "other_stop_s",
      "run_s",
      "small_stop_s",
      "net_run_s",
      "fully_productive_s",
      "data_gap_s",
      "total",
      "reject",
      "startup_reject",
      "good",
      "failures",
      "availability",
      "performance",
      "quality",
      "oee",
      "flags",
      "ideal_cycle_s",
    ],
    extraTimes: ["bucket_end", "computed_at"],
  },
} as const;
export type ForwardedTable = keyof typeof FORWARDED_TABLES;

/** A row as read: the path, ts_us and stored_us (microseconds, as strings from the LONG casts), its columns. */
export type QuestRow = Record<string, unknown> & { ts_us: string; stored_us: string };

/** Rows of `which` stored in (fromMs, toMs], oldest first (then by ts), at most `limit`. */
export async function questRowsStoredIn(pool: pg.Pool, which: ForwardedTable, fromMs: number, toMs: number, limit: number): Promise<QuestRow[]> {
  const t = FORWARDED_TABLES[which];
  const extra = "extraTimes" in t ? t.extraTimes.map((c) => `, cast(${c} as long) ${c}_us`).join("") : "";
  const r = await pool.query<QuestRow>(
    `SELECT cast(ts as long) ts_us, cast(${t.storedAt} as long) stored_us, ${PATH}, ${t.columns.join(", ")}${extra}
     FROM ${t.table} WHERE ${t.storedAt} > $1 AND ${t.storedAt} <= $2 ORDER BY ${t.storedAt}, ts LIMIT ${Math.trunc(limit)}`,
    [new Date(fromMs).toISOString(), new Date(toMs).toISOString()],
  );
  return r.rows;
}

/** A WAL table's transactions: committed (sequencer) and applied (writer), and whether applying is suspended. */
export async function walTxns(pool: pg.Pool, table: string): Promise<{ writerTxn: number; sequencerTxn: number; suspended: boolean } | undefined> {
  const r = await pool.query<{ writerTxn: string; sequencerTxn: string; suspended: boolean }>(
    `SELECT "writerTxn", "sequencerTxn", suspended FROM wal_tables() WHERE name = $1`,
    [table],
  );
  const row = r.rows[0];
  return row ? { writerTxn: Number(row.writerTxn), sequencerTxn: Number(row.sequencerTxn), suspended: row.suspended } : undefined;
}

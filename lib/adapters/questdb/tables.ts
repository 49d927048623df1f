// QuestDB tables for raw telemetry. All are WAL tables with DEDUP UPSERT KEYS that include the
// device's event timestamp and the machine's full path, so a redelivered message writes nothing twice.

const PATH = "enterprise SYMBOL, site SYMBOL, area SYMBOL, line SYMBOL, machine SYMBOL";
const PATH_KEYS = "ts, enterprise, site, area, line, machine";

export const TABLES = {
  state: "telemetry_state",
  counts: "telemetry_counts",
  vibration: "telemetry_vibration",
  waveform: "telemetry_waveform",
  metrics: "telemetry_metrics",
  deadLetters: "ingest_dead_letters",
  oeeMachine: "oee_machine",
  oeeRollup: "oee_rollup",
  oeeLate: "oee_late",
  sparkplugSessions: "ingest_sparkplug_sessions",
} as const;

const OEE_COLUMNS = `bucket_end TIMESTAMP, label SYMBOL, mapping_version SYMBOL, calendar_s DOUBLE, planned_busy_s DOUBLE, breakdown_s DOUBLE, setup_s DOUBLE,
   other_stop_s DOUBLE, run_s DOUBLE, small_stop_s DOUBLE, net_run_s DOUBLE, fully_productive_s DOUBLE, data_gap_s DOUBLE,
   total LONG, reject LONG, startup_reject LONG, good LONG, failures LONG, availability DOUBLE, performance DOUBLE, quality DOUBLE, oee DOUBLE,
   flags VARCHAR, computed_at TIMESTAMP, stored_at TIMESTAMP`;

export const DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS ${TABLES.state} (ts TIMESTAMP, ${PATH}, state SYMBOL, code INT, reason VARCHAR, state_key LONG, received_at TIMESTAMP)
   TIMESTAMP(ts) PARTITION BY DAY WAL DEDUP UPSERT KEYS(${PATH_KEYS})`,
  `CREATE TABLE IF NOT EXISTS ${TABLES.counts} (ts TIMESTAMP, ${PATH}, mode SYMBOL, total LONG, reject LONG, counter_max LONG, received_at TIMESTAMP)
   TIMESTAMP(ts) PARTITION BY DAY WAL DEDUP UPSERT KEYS(${PATH_KEYS})`,
  `CREATE TABLE IF NOT EXISTS ${TABLES.vibration} (ts TIMESTAMP, ${PATH}, sensor SYMBOL, velocity_rms_mm_s DOUBLE, accel_rms_g DOUBLE,
   accel_peak_g DOUBLE, crest_factor DOUBLE, kurtosis DOUBLE, temperature_c DOUBLE, speed_rpm DOUBLE, received_at TIMESTAMP)
   TIMESTAMP(ts) PARTITION BY DAY WAL DEDUP UPSERT KEYS(${PATH_KEYS}, sensor)`,
  `CREATE TABLE IF NOT EXISTS ${TABLES.waveform} (ts TIMESTAMP, ${PATH}, sensor SYMBOL, unit SYMBOL, sample_rate_hz DOUBLE, speed_rpm DOUBLE,
   sample_count INT, samples DOUBLE[], received_at TIMESTAMP)
   TIMESTAMP(ts) PARTITION BY DAY WAL DEDUP UPSERT KEYS(${PATH_KEYS}, sensor)`,
  `CREATE TABLE IF NOT EXISTS ${TABLES.metrics} (ts TIMESTAMP, ${PATH}, name SYMBOL, value DOUBLE, unit SYMBOL, received_at TIMESTAMP)
   TIMESTAMP(ts) PARTITION BY DAY WAL DEDUP UPSERT KEYS(${PATH_KEYS}, name)`,
  // ts: the message's own timestamp when it could be read, else the time it was received.
  `CREATE TABLE IF NOT EXISTS ${TABLES.deadLetters} (ts TIMESTAMP, topic VARCHAR, reason VARCHAR, payload_sha256 SYMBOL,
   payload_b64 VARCHAR, payload_bytes INT, worker SYMBOL, received_at TIMESTAMP)
   TIMESTAMP(ts) PARTITION BY DAY WAL DEDUP UPSERT KEYS(ts, topic, payload_sha256)`,
  // OEE per machine and bucket (ts = bucket start); re-running a bucket replaces it.
  // ideal_cycle_s: the cycle time the row was computed with (a coarser bucket sums minute rows only
  // when they all used the machine's current one)
  `CREATE TABLE IF NOT EXISTS ${TABLES.oeeMachine} (ts TIMESTAMP, granularity SYMBOL, ${PATH}, ${OEE_COLUMNS}, ideal_cycle_s DOUBLE)
   TIMESTAMP(ts) PARTITION BY DAY WAL DEDUP UPSERT KEYS(ts, granularity, enterprise, site, area, line, machine)`,
  // Roll-ups: level line | site | enterprise, key = the path of that level.
  `CREATE TABLE IF NOT EXISTS ${TABLES.oeeRollup} (ts TIMESTAMP, granularity SYMBOL, level SYMBOL, key SYMBOL, ${OEE_COLUMNS})
   TIMESTAMP(ts) PARTITION BY DAY WAL DEDUP UPSERT KEYS(ts, granularity, level, key)`,
  // Late telemetry: one row per machine and event minute that arrived after its minute was computed.
  // The OEE worker recomputes the buckets these touch; 30 days is the oldest an event may be.
  `CREATE TABLE IF NOT EXISTS ${TABLES.oeeLate} (ts TIMESTAMP, ${PATH}, channel SYMBOL, received_at TIMESTAMP)
   TIMESTAMP(ts) PARTITION BY DAY TTL 32 DAYS WAL DEDUP UPSERT KEYS(ts, enterprise, site, area, line, machine)`,
  // The Sparkplug host application's session of each edge node (births, aliases, last values, seq), written with
  // the rows of each batch: a restarted ingest worker resumes from the latest (lib/features/ingest/sparkplug-checkpoint.ts).
  `CREATE TABLE IF NOT EXISTS ${TABLES.sparkplugSessions} (ts TIMESTAMP, host SYMBOL, node SYMBOL, session VARCHAR)
   TIMESTAMP(ts) PARTITION BY DAY TTL 30 DAYS WAL DEDUP UPSERT KEYS(ts, host, node)`,
  // columns added after the first release, for tables created before them
  `ALTER TABLE ${TABLES.state} ADD COLUMN IF NOT EXISTS state_key LONG`,
  `ALTER TABLE ${TABLES.oeeMachine} ADD COLUMN IF NOT EXISTS bucket_end TIMESTAMP`,
  `ALTER TABLE ${TABLES.oeeMachine} ADD COLUMN IF NOT EXISTS label SYMBOL`,
  `ALTER TABLE ${TABLES.oeeRollup} ADD COLUMN IF NOT EXISTS bucket_end TIMESTAMP`,
  `ALTER TABLE ${TABLES.oeeRollup} ADD COLUMN IF NOT EXISTS label SYMBOL`,
  `ALTER TABLE ${TABLES.oeeMachine} ADD COLUMN IF NOT EXISTS startup_reject LONG`,
  `ALTER TABLE ${TABLES.oeeRollup} ADD COLUMN IF NOT EXISTS startup_reject LONG`,
  `ALTER TABLE ${TABLES.oeeMachine} ADD COLUMN IF NOT EXISTS ideal_cycle_s DOUBLE`,
  // when the row was written (computed_at is when its inputs were read, which the minute sums rely on)
  `ALTER TABLE ${TABLES.oeeMachine} ADD COLUMN IF NOT EXISTS stored_at TIMESTAMP`,
  `ALTER TABLE ${TABLES.oeeRollup} ADD COLUMN IF NOT EXISTS stored_at TIMESTAMP`,
];

// The dashboard's reads of the OEE roll-up and vibration tables (parameterized; UTC): the site
// roll-ups of a period, a machine's closed hours and vibration samples, a site's minute buckets
// summed per machine. Rows come back as QuestDB gives them; the features turn them into figures.
import pg from "pg";
import type { MachinePath, SitePath } from "#lib/contract/identity.ts";
import type { TimeElements } from "#lib/domain/oee/types.ts";
import { prepared } from "./pg.ts";
import { TABLES } from "./tables.ts";

/** The roll-up column of each ISO 22400 time element and count. */
export const ELEMENT_COLUMNS: Record<keyof TimeElements, string> = {
  calendarS: "calendar_s",
  plannedStopS: "calendar_s", // derived by the reader: calendar − planned busy
  plannedBusyS: "planned_busy_s",
  breakdownS: "breakdown_s",
  setupS: "setup_s",
  otherStopS: "other_stop_s",
  runS: "run_s",
  smallStopS: "small_stop_s",
  netRunS: "net_run_s",
  fullyProductiveS: "fully_productive_s",
  dataGapS: "data_gap_s",
  total: "total",
  reject: "reject",
  startupReject: "startup_reject",
  good: "good",
  failures: "failures",
};

/** Each element column once. */
const ELEMENT_COLUMN_LIST = [...new Set(Object.values(ELEMENT_COLUMNS))];
/** Each element column summed under its own name (a site's minute buckets per machine). */
const ELEMENT_SUMS = ELEMENT_COLUMN_LIST.map((c) => `sum(${c}) ${c}`).join(", ");

export type Row = Record<string, unknown>;

const iso = (t: number) => new Date(t).toISOString();
const MACHINE = "enterprise = $1 AND site = $2 AND area = $3 AND line = $4 AND machine = $5";
const machineArgs = (p: MachinePath) => [p.enterprise, p.site, p.area, p.line, p.machine];

const QUEST_TIMESTAMP = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?$/;
const TIMESTAMP_OIDS = new Set([1114, 1184]);

/**
 * Timestamps as ISO 8601 text straight from QuestDB's text ("2026-12-05 06:00:00.000000", UTC: the
 * pool's time zone), without a Date in between; anything else as pg parses it.
 */
const isoTimestamps = {
  getTypeParser: ((oid: number, format?: "text" | "binary") => {
    const parse = pg.types.getTypeParser(oid, format as "text");
    if (!TIMESTAMP_OIDS.has(oid)) return parse;
    return (v: string) => {
      const m = QUEST_TIMESTAMP.exec(v);
      if (m) return `${m[1]}T${m[2]}.${(m[3] ?? "").padEnd(3, "0").slice(0, 3)}Z`;
      const d = parse(v) as unknown as Date | null;
      return d instanceof Date ? d.toISOString() : d;
    };
  }) as pg.CustomTypesConfig["getTypeParser"],
};

/**
 * The site roll-up rows of the given sites at a granularity in [from, to), oldest first: ts and
 * bucket_end (ISO 8601 text), key, label, flags, mapping_version and the element columns.
 */
export async function siteRollupRows(pool: pg.Pool, keys: readonly string[], granularity: string, from: number, to: number): Promise<Row[]> {
  const list = keys.map((_k, i) => `$${i + 4}`).join(", ");
  const { rows } = await prepared<Row>(
    pool,
    `SELECT ts, bucket_end, key, label, flags, mapping_version, ${ELEMENT_COLUMN_LIST.join(", ")} FROM ${TABLES.oeeRollup} WHERE level = 'site' AND granularity = $1 AND ts >= $2 AND ts < $3 AND key IN (${list}) ORDER BY ts`,
    [granularity, iso(from), iso(to), ...keys],
    isoTimestamps,
  );
  return rows;
}

/**
 * Per site key, a fingerprint of its roll-up rows at a granularity in [from, to): which rows (count,
 * first and last ts, the sum of their ts) and when they were computed and stored (the newest
 * computed_at, the sums of computed_at and stored_at in µs). A row recomputed or added, or one that
 * left the period, changes it. Keys without rows are absent. (The sums stay within a LONG for up to
 * 10,000 rows a key; the caller keeps to fewer.)
 */
export async function siteRollupFingerprints(
  pool: pg.Pool,
  keys: readonly string[],
  granularity: string,
  from: number,
  to: number,
): Promise<Map<string, string>> {
  const list = keys.map((_k, i) => `$${i + 4}`).join(", ");
  const { rows } = await prepared<Row>(
    pool,
    `SELECT key, count() n, cast(min(ts) as long) t0, cast(max(ts) as long) t1, sum(cast(ts as long)) ts_sum, cast(max(computed_at) as long) c_max, sum(cast(computed_at as long)) c_sum, sum(cast(stored_at as long)) s_sum FROM ${TABLES.oeeRollup} WHERE level = 'site' AND granularity = $1 AND ts >= $2 AND ts < $3 AND key IN (${list}) GROUP BY key`,
    [granularity, iso(from), iso(to), ...keys],
  );
  return new Map(rows.map((r) => [String(r.key), `${r.n}/${r.t0}/${r.t1}/${r.ts_sum}/${r.c_max}/${r.c_sum}/${r.s_sum}`]));
}

/** A machine's hour buckets in [from, to): ts and the element columns, oldest first. */
export async function machineHourRows(pool: pg.Pool, path: MachinePath, from: number, to: number): Promise<Row[]> {
  const { rows } = await pool.query<Row>(
    `SELECT ts, ${ELEMENT_COLUMN_LIST.join(", ")} FROM ${TABLES.oeeMachine} WHERE ${MACHINE} AND granularity = 'hour' AND ts >= $6 AND ts < $7 ORDER BY ts`,
    [...machineArgs(path), iso(from), iso(to)],
  );
  return rows;
}

/** A machine's vibration features in [from, to), averaged (velocity also its maximum) per `sample` ("5m", "1h"). */
export async function vibrationSamples(pool: pg.Pool, path: MachinePath, from: number, to: number, sample: "5m" | "1h"): Promise<Row[]> {
  const { rows } = await pool.query<Row>(
    `SELECT ts, avg(velocity_rms_mm_s) velocity, max(velocity_rms_mm_s) velocity_max, avg(accel_rms_g) accel, avg(crest_factor) crest, avg(kurtosis) kurtosis, avg(temperature_c) temperature
       FROM ${TABLES.vibration} WHERE ${MACHINE} AND ts >= $6 AND ts < $7 SAMPLE BY ${sample} ALIGN TO CALENDAR`,
    [...machineArgs(path), iso(from), iso(to)],
  );
  return rows;
}

/** A site's minute buckets in [from, to) summed per machine: area, line, machine and the element columns. */
export async function siteMinuteSums(pool: pg.Pool, site: SitePath, from: number, to: number): Promise<Row[]> {
  const { rows } = await prepared<Row>(
    pool,
    `SELECT area, line, machine, ${ELEMENT_SUMS} FROM ${TABLES.oeeMachine} WHERE granularity = 'minute' AND enterprise = $1 AND site = $2 AND ts >= $3 AND ts < $4 GROUP BY area, line, machine`,
    [site.enterprise, site.site, iso(from), iso(to)],
  );
  return rows;
}

/**
 * siteMinuteSums(pool, site, from, to), and whether a minute bucket of the site in [check.from,
 * check.to) was stored at or after check.storedSinceMs (recomputed, or late; one row at most is
 * read), in one statement: the plant board's refresh, where QuestDB's cost is mostly per statement.
 */
export async function siteMinuteSumsAndStored(
  pool: pg.Pool,
  site: SitePath,
  from: number,
  to: number,
  check: { from: number; to: number; storedSinceMs: number },
): Promise<{ rows: Row[]; stored: boolean }> {
  const { rows } = await prepared<Row>(
    pool,
    `SELECT false stored, area, line, machine, ${ELEMENT_SUMS} FROM ${TABLES.oeeMachine}
       WHERE granularity = 'minute' AND enterprise = $1 AND site = $2 AND ts >= $3 AND ts < $4 GROUP BY area, line, machine
     UNION ALL
     SELECT * FROM (SELECT true stored, area, line, machine, ${ELEMENT_COLUMN_LIST.join(", ")} FROM ${TABLES.oeeMachine}
       WHERE granularity = 'minute' AND enterprise = $1 AND site = $2 AND ts >= $5 AND ts < $6 AND stored_at >= $7 LIMIT 1)`,
    [site.enterprise, site.site, iso(from), iso(to), iso(check.from), iso(check.to), iso(check.storedSinceMs)],
  );
  const out: Row[] = [];
  let stored = false;
  for (const { stored: s, ...r } of rows) {
    if (s === true) stored = true;
    else out.push(r);
  }
  return { rows: out, stored };
}

// The live ingest page's reads of the raw telemetry tables: every machine's latest count message
// and state, messages per site in the last minute and per 30 s over 15 min, the dead letters of
// the last hour.
import type pg from "pg";
import { TABLES } from "./tables.ts";

const PATH = "enterprise, site, area, line, machine";

export interface PathRow {
  enterprise: string;
  site: string;
  area: string;
  line: string;
  machine: string;
}

export interface IngestRows {
  lastSeen: (PathRow & { received_at: unknown })[];
  states: (PathRow & { state: string | null; code: number | null; reason: string | null; ts: unknown })[];
  perSiteMinute: { site: string; n: unknown }[];
  perSite30s: { ts: unknown; site: string; n: unknown }[];
  deadLettersLastHour: number;
  latestDeadLetters: { received_at: unknown; topic: string; reason: string }[];
}

export async function ingestRows(pool: pg.Pool): Promise<IngestRows> {
  const [seen, st, minute, series, dlCount, dlLatest] = await Promise.all([
    pool.query(`SELECT ${PATH}, received_at FROM ${TABLES.counts} LATEST ON ts PARTITION BY ${PATH}`),
    pool.query(`SELECT ${PATH}, state, code, reason, ts FROM ${TABLES.state} LATEST ON ts PARTITION BY ${PATH}`),
    pool.query(
      `SELECT site, sum(n) n FROM (SELECT site, count() n FROM ${TABLES.counts} WHERE ts > dateadd('m', -1, now())
         UNION ALL SELECT site, count() n FROM ${TABLES.vibration} WHERE ts > dateadd('m', -1, now())
         UNION ALL SELECT site, count() n FROM ${TABLES.state} WHERE ts > dateadd('m', -1, now()))`,
    ),
    pool.query(`SELECT ts, site, count() n FROM ${TABLES.counts} WHERE ts > dateadd('m', -15, now()) SAMPLE BY 30s ALIGN TO CALENDAR`),
    pool.query(`SELECT count() n FROM ${TABLES.deadLetters} WHERE received_at > dateadd('h', -1, now())`),
    pool.query(`SELECT received_at, topic, reason FROM ${TABLES.deadLetters} WHERE received_at > dateadd('h', -1, now()) ORDER BY received_at DESC LIMIT 5`),
  ]);
  return {
    lastSeen: seen.rows,
    states: st.rows,
    perSiteMinute: minute.rows,
    perSite30s: series.rows,
    deadLettersLastHour: Number(dlCount.rows[0]?.n ?? 0),
    latestDeadLetters: dlLatest.rows,
  };
}

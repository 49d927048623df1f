// Live ingest status for the first dashboard page: per site, every machine's latest state and when
// it was last heard from; message rates; recent dead letters. Server-only (QuestDB over PG wire).
import { type ProcessesView, processesView } from "./process-status.ts";
import "server-only";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { loadMachines } from "#lib/adapters/db/plant.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { config } from "#lib/platform/config.ts";
import { quest } from "./context.ts";

export interface MachineStatus {
  key: string;
  name: string;
  line: string;
  state: string | null;
  reason: string | null;
  stateSince: string | null;
  lastSeen: string | null;
}

export interface SiteStatus {
  enterprise: string;
  site: string;
  name: string;
  timeZone: string;
  messagesLastMinute: number;
  machines: MachineStatus[];
}

export interface IngestStatus {
  generatedAt: string;
  sites: SiteStatus[];
  rate: { t: string; [site: string]: number | string }[];
  deadLetters: { lastHour: number; latest: { ts: string; topic: string; reason: string }[] };
  questdb: "ok" | string;
  /** The stack's processes as `andon up` supervises them (restarts, crash loops, why each last died). */
  processes: ProcessesView;
}

const pool = quest;

const keyOf = (r: { enterprise: string; site: string; area: string; line: string; machine: string }) =>
  `${r.enterprise}/${r.site}/${r.area}/${r.line}/${r.machine}`;
const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v == null ? null : String(v));

export async function ingestStatus(): Promise<IngestStatus> {
  const cfg = config();
  const machines = await loadMachines(prismaFor(cfg.DATABASE_URL));
  const lastSeen = new Map<string, string | null>();
  const states = new Map<string, { state: string | null; code: number | null; reason: string | null; ts: string | null }>();
  const perSiteMinute = new Map<string, number>();
  const rate = new Map<string, Record<string, number>>();
  let deadLetters: IngestStatus["deadLetters"] = { lastHour: 0, latest: [] };
  let questdb: IngestStatus["questdb"] = "ok";
  try {
    const q = pool();
    const path = "enterprise, site, area, line, machine";
    const [seen, st, minute, series, dlCount, dlLatest] = await Promise.all([
      q.query(`SELECT ${path}, received_at FROM ${TABLES.counts} LATEST ON ts PARTITION BY ${path}`),
      q.query(`SELECT ${path}, state, code, reason, ts FROM ${TABLES.state} LATEST ON ts PARTITION BY ${path}`),
      q.query(
        `SELECT site, sum(n) n FROM (SELECT site, count() n FROM ${TABLES.counts} WHERE ts > dateadd('m', -1, now())
         UNION ALL SELECT site, count() n FROM ${TABLES.vibration} WHERE ts > dateadd('m', -1, now())
         UNION ALL SELECT site, count() n FROM ${TABLES.state} WHERE ts > dateadd('m', -1, now()))`,
      ),
      q.query(`SELECT ts, site, count() n FROM ${TABLES.counts} WHERE ts > dateadd('m', -15, now()) SAMPLE BY 30s ALIGN TO CALENDAR`),
      q.query(`SELECT count() n FROM ${TABLES.deadLetters} WHERE received_at > dateadd('h', -1, now())`),
      q.query(`SELECT received_at, topic, reason FROM ${TABLES.deadLetters} WHERE received_at > dateadd('h', -1, now()) ORDER BY received_at DESC LIMIT 5`),
    ]);
    for (const r of seen.rows) lastSeen.set(keyOf(r), iso(r.received_at));
    for (const r of st.rows) states.set(keyOf(r), { state: r.state, code: r.code, reason: r.reason, ts: iso(r.ts) });
    for (const r of minute.rows) perSiteMinute.set(r.site, Number(r.n));
    for (const r of series.rows) {
      const t = iso(r.ts) ?? "";
      const bucket = rate.get(t) ?? {};
      bucket[r.site] = (bucket[r.site] ?? 0) + Number(r.n) / 30;
      rate.set(t, bucket);
    }
    deadLetters = {
      lastHour: Number(dlCount.rows[0]?.n ?? 0),
      latest: dlLatest.rows.map((r) => ({ ts: iso(r.received_at) ?? "", topic: r.topic, reason: r.reason })),
    };
  } catch (e) {
    questdb = (e as Error).message;
  }

  const sites = new Map<string, SiteStatus>();
  for (const m of machines) {
    const siteKey = `${m.enterprise}/${m.site}`;
    let s = sites.get(siteKey);
    if (!s) {
      s = {
        enterprise: m.enterprise,
        site: m.site,
        name: m.siteName ?? m.site,
        timeZone: m.timeZone,
        messagesLastMinute: perSiteMinute.get(m.site) ?? 0,
        machines: [],
      };
      sites.set(siteKey, s);
    }
    const key = `${m.enterprise}/${m.site}/${m.area}/${m.line}/${m.slug}`;
    const state = states.get(key);
    s.machines.push({
      key,
      name: m.name,
      line: m.lineName ?? m.line,
      state: state?.state ?? (state?.code != null ? `code ${state.code}` : null),
      reason: state?.reason ?? null,
      stateSince: state?.ts ?? null,
      lastSeen: lastSeen.get(key) ?? null,
    });
  }
  return {
    generatedAt: new Date().toISOString(),
    sites: [...sites.values()],
    // the newest bucket is still filling: leave it out rather than draw a false drop
    rate: [...rate.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .slice(0, -1)
      .map(([t, v]) => ({ t, ...v })),
    deadLetters,
    questdb,
    processes: processesView(),
  };
}

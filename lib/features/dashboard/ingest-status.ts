// Live ingest status for the first dashboard page: per site, every machine's latest state and when
// it was last heard from; message rates; recent dead letters. Server-only (QuestDB over PG wire).
import { type ProcessesView, processesView } from "./process-status.ts";
import "server-only";
import { oeeCursors } from "#lib/adapters/db/oee-cursor.ts";
import { loadMachines } from "#lib/adapters/db/plant.ts";
import { ingestRows } from "#lib/adapters/questdb/read-ingest.ts";
import { machineKey, siteKey } from "#lib/contract/identity.ts";
import { config } from "#lib/platform/config.ts";
import { db, quest } from "./context.ts";

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

export interface OeeProgress {
  granularity: string;
  computedUntil: string;
  behindS: number;
}

export interface IngestStatus {
  generatedAt: string;
  sites: SiteStatus[];
  rate: { t: string; [site: string]: number | string }[];
  deadLetters: { lastHour: number; latest: { ts: string; topic: string; reason: string }[] };
  questdb: "ok" | string;
  /** How far each granularity's scheduled OEE roll-up got (far behind: catching up after the worker was down). */
  oeeRollup: OeeProgress[];
  /** The stack's processes as `andon up` supervises them (restarts, crash loops, why each last died). */
  processes: ProcessesView;
}

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v == null ? null : String(v));

export async function ingestStatus(): Promise<IngestStatus> {
  const machines = await loadMachines(db());
  const lastSeen = new Map<string, string | null>();
  const states = new Map<string, { state: string | null; code: number | null; reason: string | null; ts: string | null }>();
  const perSiteMinute = new Map<string, number>();
  const rate = new Map<string, Record<string, number>>();
  let deadLetters: IngestStatus["deadLetters"] = { lastHour: 0, latest: [] };
  let questdb: IngestStatus["questdb"] = "ok";
  try {
    const r = await ingestRows(quest());
    for (const x of r.lastSeen) lastSeen.set(machineKey(x), iso(x.received_at));
    for (const x of r.states) states.set(machineKey(x), { state: x.state, code: x.code, reason: x.reason, ts: iso(x.ts) });
    for (const x of r.perSiteMinute) perSiteMinute.set(x.site, Number(x.n));
    for (const x of r.perSite30s) {
      const t = iso(x.ts) ?? "";
      const bucket = rate.get(t) ?? {};
      bucket[x.site] = (bucket[x.site] ?? 0) + Number(x.n) / 30;
      rate.set(t, bucket);
    }
    deadLetters = {
      lastHour: r.deadLettersLastHour,
      latest: r.latestDeadLetters.map((x) => ({ ts: iso(x.received_at) ?? "", topic: x.topic, reason: x.reason })),
    };
  } catch (e) {
    questdb = (e as Error).message;
  }

  const sites = new Map<string, SiteStatus>();
  for (const m of machines) {
    const site = siteKey(m.path);
    let s = sites.get(site);
    if (!s) {
      s = {
        enterprise: m.enterprise,
        site: m.site,
        name: m.siteName ?? m.site,
        timeZone: m.timeZone,
        messagesLastMinute: perSiteMinute.get(m.site) ?? 0,
        machines: [],
      };
      sites.set(site, s);
    }
    const key = m.key;
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
    oeeRollup: await oeeProgress(),
    processes: processesView(),
  };
}

const ORDER = ["minute", "hour", "shift", "day"];

async function oeeProgress(): Promise<OeeProgress[]> {
  const now = Date.now();
  const rows = await oeeCursors(db(), config().QUEUE_PREFIX).catch(() => []);
  return rows
    .map((r) => ({
      granularity: r.granularity,
      computedUntil: r.computedUntil.toISOString(),
      behindS: Math.max(0, Math.round((now - r.computedUntil.getTime()) / 1000)),
    }))
    .sort((a, b) => ORDER.indexOf(a.granularity) - ORDER.indexOf(b.granularity));
}

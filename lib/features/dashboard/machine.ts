// The machine page's data: OEE per closed hour, counts and rejects, vibration features over time with
// the machine's ISO 10816-3 zone limits, and its state timeline. Parameterized QuestDB queries.

import type pg from "pg";
import { activeAlertsOf, alertOnsetsOf } from "#lib/adapters/db/alerts.ts";
import type { PrismaClient } from "#lib/adapters/db/client.ts";
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { ELEMENT_COLUMNS, machineHourRows, vibrationSamples } from "#lib/adapters/questdb/read-oee.ts";
import { siteOf } from "#lib/contract/identity.ts";
import { kpisOf } from "#lib/domain/oee/kpis.ts";
import { DEFAULT_MAPPING } from "#lib/domain/oee/mapping.ts";
import type { Kpis, ReasonEdit } from "#lib/domain/oee/types.ts";
import { ZONE_LIMITS, type Zone, zoneOf } from "#lib/domain/vibration/iso10816.ts";
import { loadFleetEvents } from "#lib/features/oee/events.ts";
import { machineForecast } from "#lib/features/pdm/rul.ts";
import { machineTimeline, type Segment, stateName } from "./plant.ts";

export interface MachineDetail {
  machine: {
    key: string;
    name: string;
    site: string;
    line: string;
    timeZone: string;
    idealCycleTimeS: number;
    vibrationGroup: string;
    foundation: string;
    zoneLimits: readonly [number, number, number];
  };
  from: number;
  to: number;
  state: { name: string; since: number } | null;
  hours: { ts: number; kpis: Kpis; total: number; good: number; reject: number; plannedBusyS: number }[];
  vibration: {
    ts: number;
    velocity: number;
    velocityMax: number;
    accelRms: number | null;
    crest: number | null;
    kurtosis: number | null;
    temperature: number | null;
  }[];
  zone: { now: Zone; velocity: number; at: number } | null;
  timeline: Segment[];
  /** onsets of the alerts that began in the window (any status): markers on the charts */
  anomalies: { ts: number; severity: string; cause: string; status: string }[];
  /**
   * when the running velocity will cross the next ISO zone boundary (lib/domain/pdm/rul.ts): the
   * fitted block medians and trend line, the forecast and its interval (etaHigh null: unbounded)
   */
  forecast: ForecastView;
  /** active (open or acknowledged) alerts of this machine */
  alerts: { id: string; cause: string; severity: string; status: string; explanation: string; suggestedAction: string; onsetAt: string }[];
}

export type ForecastView =
  | {
      kind: "trend";
      zone: "C" | "D";
      boundary: number;
      eta: number;
      etaLow: number;
      etaHigh: number | null;
      growthPerHour: number;
      windowMs: number;
      points: { ts: number; v: number }[];
      fitted: { ts: number; v: number }[];
    }
  | { kind: "none"; reason: string };

async function forecastView(pool: pg.Pool, m: MachineInfo, now: number): Promise<ForecastView> {
  const f = await machineForecast(pool, m, now);
  if (f.kind === "none") return { kind: "none", reason: f.reason };
  const { at: _at, etaHigh, ...rest } = f;
  return { ...rest, etaHigh: Number.isFinite(etaHigh) ? etaHigh : null };
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export async function machineDetail(
  pool: pg.Pool,
  prisma: PrismaClient,
  m: MachineInfo,
  reasonEdits: (r: { start: number; end: number }) => Promise<Map<string, ReasonEdit[]>>,
  spanHours: number,
  now = Date.now(),
): Promise<MachineDetail> {
  const path = m.path;
  const key = m.key;
  const from = now - spanHours * 3_600_000;
  const sample = spanHours <= 24 ? "5m" : "1h";
  const mapping = m.lossMapping ?? DEFAULT_MAPPING;
  const [hours, vib, events, edits, alerts, anomalies, forecast] = await Promise.all([
    machineHourRows(pool, path, from, now),
    vibrationSamples(pool, path, from, now, sample),
    loadFleetEvents(pool, {
      range: { start: from, end: now },
      boundaries: [],
      lookbackMs: Math.max(3_600_000, mapping.microStopThresholdS * 1000),
      lookaheadMs: 0,
      parallelism: 1,
      only: path,
    }),
    reasonEdits({ start: from, end: now }),
    activeAlertsOf(prisma, key),
    // every alert that began in the window, whatever became of it: the charts' anomaly markers
    alertOnsetsOf(prisma, key, from, now),
    forecastView(pool, m, now),
  ]);
  const ev = events.get(key);
  const timeline = ev ? machineTimeline(m, { start: from, end: now }, ev.states, edits.get(key) ?? []) : [];
  const last = ev?.states.filter((s) => s.ts <= now).at(-1);
  const vibration = vib
    .filter((r) => r.velocity !== null)
    .map((r) => ({
      ts: (r.ts as Date).getTime(),
      velocity: Number(r.velocity),
      velocityMax: Number(r.velocity_max),
      accelRms: num(r.accel),
      crest: num(r.crest),
      kurtosis: num(r.kurtosis),
      temperature: num(r.temperature),
    }));
  const latest = vibration.at(-1);
  return {
    machine: {
      key,
      name: m.name,
      site: siteOf(key),
      line: m.lineName ?? m.line,
      timeZone: m.timeZone,
      idealCycleTimeS: m.idealCycleTimeS,
      vibrationGroup: m.vibrationGroup,
      foundation: m.foundation,
      zoneLimits: ZONE_LIMITS[m.vibrationGroup][m.foundation],
    },
    from,
    to: now,
    state: last ? { name: stateName(last), since: last.ts } : null,
    hours: hours.map((r) => {
      const e = Object.fromEntries(Object.entries(ELEMENT_COLUMNS).map(([k, c]) => [k, Number(r[c] ?? 0)])) as never;
      const k = kpisOf(e);
      return {
        ts: (r.ts as Date).getTime(),
        kpis: k,
        total: Number(r.total),
        good: Number(r.good),
        reject: Number(r.reject),
        plannedBusyS: Number(r.planned_busy_s),
      };
    }),
    vibration,
    zone: latest ? { now: zoneOf(latest.velocity, m.vibrationGroup, m.foundation), velocity: latest.velocity, at: latest.ts } : null,
    timeline,
    anomalies: anomalies.map((a) => ({ ts: a.onsetAt.getTime(), severity: a.severity, cause: a.cause, status: a.status })),
    forecast,
    alerts: alerts.map((a) => ({
      id: a.id,
      cause: a.cause,
      severity: a.severity,
      status: a.status,
      explanation: a.explanation,
      suggestedAction: a.suggestedAction,
      onsetAt: a.onsetAt.toISOString(),
    })),
  };
}

// The shift report of a site: for one shift (or local day), OEE and its factors per line and
// machine, the six big losses, the top downtime reasons, micro-stops, the alerts opened and closed
// and the commands sent. The figures are the plant board's (siteWindowView: the closed minute
// buckets of the period, summed by the OEE core), so the report and the board never disagree.
import type pg from "pg";
import type { PrismaClient } from "#lib/adapters/db/client.ts";
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { alertsInWindow, commandsInWindow } from "#lib/adapters/db/report.ts";
import { siteKey } from "#lib/contract/identity.ts";
import { kpisOf } from "#lib/domain/oee/kpis.ts";
import { pickPeriod, type ReportPeriod, reportPeriods } from "#lib/domain/oee/report-periods.ts";
import type { Kpis, TimeElements } from "#lib/domain/oee/types.ts";
import { sumElements } from "./oee-read.ts";
import { siteWindowView } from "./plant.ts";

export interface ReportAlert {
  id: string;
  machineKey: string;
  cause: string;
  severity: string;
  status: string;
  explanation: string;
  onsetAt: string;
  clearedAt: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  /** opened in the period, closed (cleared or resolved) in it, or both */
  opened: boolean;
  closed: boolean;
}

export interface ReportCommand {
  id: string;
  machineKey: string;
  type: string;
  status: string;
  reason: string | null;
  requestedBy: string;
  createdAt: string;
  finishedAt: string | null;
}

export interface ShiftReport {
  site: { key: string; name: string; timeZone: string };
  period: ReportPeriod;
  /** the other periods of the last week, newest first, to pick from */
  periods: ReportPeriod[];
  generatedAt: number;
  totals: { kpis: Kpis; elements: TimeElements };
  lines: { key: string; name: string; kpis: Kpis; elements: TimeElements }[];
  machines: { key: string; name: string; line: string; kpis: Kpis; elements: TimeElements; stops: number; microStops: number }[];
  losses: { name: string; seconds: number }[];
  reasons: { reason: string; seconds: number; stops: number }[];
  microStops: { count: number; seconds: number };
  /** null where the reader may not see them */
  alerts: { opened: number; closed: number; list: ReportAlert[] } | null;
  commands: { total: number; byStatus: Record<string, number>; list: ReportCommand[] } | null;
}

export interface ReportAsk {
  shift?: string;
  day?: string;
}

export class UnknownPeriod extends Error {}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const STOPS = new Set(["BREAKDOWN", "SETUP_ADJUSTMENT", "UNPLANNED_STOP", "SMALL_STOP"]);

/**
 * The report, or undefined for a site without machines. `see` says which sections the reader may
 * see (checked on the server by the caller). Throws UnknownPeriod for a period not in the last week.
 */
export async function shiftReport(
  deps: { prisma: PrismaClient; pool: pg.Pool; fleet: readonly MachineInfo[] },
  where: { enterprise: string; site: string },
  ask: ReportAsk,
  see: { alerts: boolean; commands: boolean },
  now = Date.now(),
): Promise<ShiftReport | undefined> {
  const first = deps.fleet.find((m) => m.enterprise === where.enterprise && m.site === where.site);
  if (!first) return undefined;
  const periods = reportPeriods({ timeZone: first.timeZone, shifts: first.shifts }, now);
  const period = pickPeriod(periods, ask);
  if (!period) throw new UnknownPeriod(ask.shift ? `no shift starting at ${ask.shift} in the last 7 days` : `no local day ${ask.day} in the last 7 days`);
  const window = { label: period.label, start: period.start, end: period.end, current: !period.complete };
  const key = siteKey(where);
  const [view, alerts, commands] = await Promise.all([
    siteWindowView(deps.prisma, deps.pool, deps.fleet, where.enterprise, where.site, window, now),
    see.alerts ? alertsInWindow(deps.prisma, key, period.start, period.end) : undefined,
    see.commands ? commandsInWindow(deps.prisma, key, period.start, period.end) : undefined,
  ]);
  if (!view) return undefined;
  const inPeriod = (d: Date | null) => d !== null && d.getTime() >= period.start && d.getTime() < period.end;
  const machines = view.machines.map((m) => ({
    key: m.key,
    name: m.name,
    line: m.line,
    kpis: m.kpis,
    elements: m.elements,
    stops: m.timeline.filter((t) => STOPS.has(t.loss)).length,
    microStops: m.timeline.filter((t) => t.loss === "SMALL_STOP").length,
  }));
  const elements = sumElements(view.machines.map((m) => m.elements));
  const alertList = alerts?.map(
    (a): ReportAlert => ({
      id: a.id,
      machineKey: a.machineKey,
      cause: a.cause,
      severity: a.severity,
      status: a.status,
      explanation: a.explanation,
      onsetAt: a.onsetAt.toISOString(),
      clearedAt: iso(a.clearedAt),
      resolvedAt: iso(a.resolvedAt),
      resolvedBy: a.resolvedBy,
      opened: inPeriod(a.onsetAt),
      closed: inPeriod(a.clearedAt) || inPeriod(a.resolvedAt),
    }),
  );
  const byStatus: Record<string, number> = {};
  for (const c of commands ?? []) byStatus[c.status] = (byStatus[c.status] ?? 0) + 1;
  return {
    site: view.site,
    period,
    periods,
    generatedAt: now,
    totals: { kpis: kpisOf(elements), elements },
    lines: view.lines,
    machines,
    losses: view.losses,
    reasons: view.reasons,
    microStops: { count: machines.reduce((n, m) => n + m.microStops, 0), seconds: elements.smallStopS },
    alerts: alertList ? { opened: alertList.filter((a) => a.opened).length, closed: alertList.filter((a) => a.closed).length, list: alertList } : null,
    commands: commands
      ? {
          total: commands.length,
          byStatus,
          list: commands.map((c) => ({
            id: c.id,
            machineKey: c.machineKey,
            type: c.type,
            status: c.status,
            reason: c.reason,
            requestedBy: c.requestedBy,
            createdAt: c.createdAt.toISOString(),
            finishedAt: iso(c.finishedAt),
          })),
        }
      : null,
  };
}

// Maintenance alerts in PostgreSQL: the queries and writes of the alert service
// (lib/features/pdm/alerts.ts), which decides what to write (lib/domain/pdm/alert-rules.ts).
// The partial unique index on (machine, cause) of active alerts is what keeps one active alert
// per machine and cause when two raises race; isDuplicate recognises the loser.
import type { MachineKey, MachinePath, SiteKey } from "#lib/contract/identity.ts";
import { ACTIVE_STATUSES, type AlertStatus, type Severity } from "#lib/domain/pdm/alert-rules.ts";
import { type AuditEntry, audit } from "./audit.ts";
import type { Prisma, PrismaClient } from "./client.ts";
import type { Alert } from "./generated/client.ts";

export type { Alert };

const ACTIVE = { in: [...ACTIVE_STATUSES] };

/** What a raise writes on every alert it touches: the latest value and what it means. */
export interface AlertSeen {
  value: number;
  baseline: number | null;
  zone: string | null;
  explanation: string;
  suggestedAction: string;
  lastSeenAt: Date;
}

export interface NewAlert extends AlertSeen {
  machineId: string;
  machineKey: string;
  siteKey: SiteKey;
  cause: string;
  feature: string;
  severity: Severity;
  detectorVersion: string;
  onsetAt: Date;
}

/** A change a person makes (acknowledge, assign, resolve). */
export type AlertChange = Pick<
  Prisma.AlertUncheckedUpdateInput,
  "status" | "acknowledgedBy" | "acknowledgedAt" | "assignee" | "resolvedBy" | "resolvedAt" | "resolveNote"
>;

/** True for the unique-index violation of a second active alert of the same machine and cause. */
export const isDuplicate = (e: unknown): boolean => (e as { code?: string }).code === "P2002";

export async function machineIdOf(prisma: PrismaClient, p: MachinePath): Promise<string | undefined> {
  const m = await prisma.machine.findFirst({
    where: { slug: p.machine, line: { slug: p.line, area: { slug: p.area, site: { slug: p.site, enterprise: { slug: p.enterprise } } } } },
    select: { id: true },
  });
  return m?.id;
}

export function findActiveAlert(prisma: PrismaClient, machineId: string, cause: string): Promise<Alert | null> {
  return prisma.alert.findFirst({ where: { machineId, cause, status: ACTIVE } });
}

/** The latest alert of the machine and cause cleared at or after `since`. */
export function findClearedSince(prisma: PrismaClient, machineId: string, cause: string, since: Date): Promise<Alert | null> {
  return prisma.alert.findFirst({ where: { machineId, cause, status: "CLEARED", clearedAt: { gte: since } }, orderBy: { clearedAt: "desc" } });
}

/** A raise on an active alert; an escalation also sets its severity and opens it again. */
export function updateSeen(prisma: PrismaClient, id: string, seen: AlertSeen, escalateTo?: Severity): Promise<Alert> {
  return prisma.alert.update({ where: { id }, data: { ...seen, ...(escalateTo ? { severity: escalateTo, status: "OPEN" } : {}) } });
}

/** A cleared alert open again, one flap more. */
export function reopenAlert(prisma: PrismaClient, id: string, seen: AlertSeen, severity: Severity): Promise<Alert> {
  return prisma.alert.update({ where: { id }, data: { ...seen, status: "OPEN", clearedAt: null, flaps: { increment: 1 }, severity } });
}

export function createAlert(prisma: PrismaClient, a: NewAlert): Promise<Alert> {
  return prisma.alert.create({ data: a });
}

/** Active alerts (of these machines, or all) last seen before `before`. */
export function findQuietAlerts(prisma: PrismaClient, before: Date, machineKeys?: readonly string[]): Promise<Alert[]> {
  return prisma.alert.findMany({
    where: { status: ACTIVE, lastSeenAt: { lt: before }, ...(machineKeys ? { machineKey: { in: [...machineKeys] } } : {}) },
  });
}

export function clearAlert(prisma: PrismaClient, id: string, at: Date): Promise<Alert> {
  return prisma.alert.update({ where: { id }, data: { status: "CLEARED", clearedAt: at } });
}

export function findAlert(prisma: PrismaClient, id: string): Promise<Alert | null> {
  return prisma.alert.findUnique({ where: { id } });
}

/** A person's change and its audit record, in one transaction. */
export function changeAlertAudited(prisma: PrismaClient, id: string, data: AlertChange, entry: AuditEntry): Promise<Alert> {
  return prisma.$transaction(async (tx) => {
    const alert = await tx.alert.update({ where: { id }, data });
    await audit(tx, entry);
    return alert;
  });
}

export interface AlertQuery {
  /** the sites the reader may see */
  sites: "all" | readonly string[];
  site?: string;
  status?: string[];
  severity?: Severity;
  limit?: number;
}

const alertWhere = (q: AlertQuery) => ({
  ...(q.sites === "all" ? {} : { siteKey: { in: [...q.sites] } }),
  ...(q.site ? { siteKey: q.site } : {}),
  ...(q.status?.length ? { status: { in: q.status as AlertStatus[] } } : {}),
  ...(q.severity ? { severity: q.severity } : {}),
});

/** Alerts the reader may see, latest seen first. */
export function findAlerts(prisma: PrismaClient, q: AlertQuery): Promise<Alert[]> {
  return prisma.alert.findMany({ where: alertWhere(q), orderBy: [{ lastSeenAt: "desc" }], take: q.limit ?? 200 });
}

/** How many alerts the query matches in each status, whatever statuses it asks for (the inbox's "N in the other states"). */
export async function countAlertsByStatus(prisma: PrismaClient, q: Omit<AlertQuery, "status" | "limit">): Promise<Record<AlertStatus, number>> {
  const groups = await prisma.alert.groupBy({ by: ["status"], where: alertWhere(q), _count: { _all: true } });
  const out: Record<AlertStatus, number> = { OPEN: 0, ACKNOWLEDGED: 0, RESOLVED: 0, CLEARED: 0 };
  for (const g of groups) out[g.status] = g._count._all;
  return out;
}

// The dashboard's reads: a machine's active alerts and the onsets in a window (the machine page),
// the open count of some sites (the badge).

/** A machine's open and acknowledged alerts, the most recently seen first. */
export function activeAlertsOf(prisma: PrismaClient, key: MachineKey): Promise<Alert[]> {
  return prisma.alert.findMany({ where: { machineKey: key, status: ACTIVE }, orderBy: { lastSeenAt: "desc" } });
}

/** Every alert of a machine that began in [from, to] (any status), oldest first: when, how bad, what, and its status. */
export function alertOnsetsOf(prisma: PrismaClient, key: MachineKey, from: number, to: number) {
  return prisma.alert.findMany({
    where: { machineKey: key, onsetAt: { gte: new Date(from), lte: new Date(to) } },
    orderBy: { onsetAt: "asc" },
    select: { onsetAt: true, severity: true, cause: true, status: true },
  });
}

/** How many alerts are open on the given sites ("all": every site). */
export function openAlertCount(prisma: PrismaClient, sites: readonly string[] | "all"): Promise<number> {
  return prisma.alert.count({ where: { status: "OPEN", ...(sites === "all" ? {} : { siteKey: { in: [...sites] } }) } });
}

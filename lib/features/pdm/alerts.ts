// Maintenance alerts and their lifecycle in PostgreSQL: open → acknowledged (by whom) → resolved (by
// whom, with a note), or cleared automatically when the condition has not come back for a while.
// One active alert per machine and cause (a partial unique index enforces it); a condition that
// comes back within the flap window reopens its cleared alert instead of opening a new one. Every
// change is published on the site's MQTT alerts topic and, for people's actions, audited.

import type { PrismaClient } from "#lib/adapters/db/client.ts";
import type { Alert } from "#lib/adapters/db/generated/client.ts";
import { RefusedError } from "#lib/contract/errors.ts";
import { asSiteKey } from "#lib/contract/identity.ts";
import { alertsTopic } from "#lib/contract/topics.ts";

export type Severity = "WARNING" | "CRITICAL";
const RANK: Record<Severity, number> = { WARNING: 1, CRITICAL: 2 };

export interface AlertSignal {
  machineKey: string;
  feature: string;
  cause: string;
  severity: Severity;
  value: number;
  baseline?: number;
  zone?: string;
  explanation: string;
  suggestedAction: string;
  detectorVersion: string;
  at: number;
}

export interface AlertActor {
  name: string;
  origin?: string;
  sites: "all" | readonly string[];
}

export interface AlertDeps {
  prisma: PrismaClient;
  /** publishes one alert change (QoS 1) */
  publish?: (topic: string, payload: string) => Promise<void>;
  /**
   * told when a change saved in PostgreSQL could not be published (the broker away, a timeout): the
   * change stands and is never answered as a failure (default: a warning on stderr)
   */
  onPublishFailed?: (e: Error, topic: string) => void;
  flapWindowMs?: number;
}

/** A refused request (lib/contract/errors.ts); the API answers it with its code. */
export class AlertError extends RefusedError {}

export function alertMessage(a: Alert, change: string) {
  return {
    v: 1,
    change,
    id: a.id,
    machine: a.machineKey,
    cause: a.cause,
    feature: a.feature,
    severity: a.severity,
    status: a.status,
    value: a.value,
    baseline: a.baseline,
    zone: a.zone,
    onset: a.onsetAt.toISOString(),
    last_seen: a.lastSeenAt.toISOString(),
    flaps: a.flaps,
    explanation: a.explanation,
    suggested_action: a.suggestedAction,
    detector: a.detectorVersion,
    acknowledged_by: a.acknowledgedBy,
    assignee: a.assignee,
    resolved_by: a.resolvedBy,
    resolve_note: a.resolveNote,
  };
}

/**
 * Publishes a change that is already committed. It never throws: a failure after the commit must not
 * turn a saved change into an error for the caller (who would retry it, or think it lost).
 */
async function announce(deps: AlertDeps, a: Alert, change: string) {
  const topic = alertsTopic(asSiteKey(a.siteKey));
  try {
    await deps.publish?.(topic, JSON.stringify(alertMessage(a, change)));
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    if (deps.onPublishFailed) deps.onPublishFailed(err, topic);
    else console.warn(`alert ${a.id} ${change}: saved, but not published on ${topic}: ${err.message}`);
  }
}

async function machineIdOf(prisma: PrismaClient, key: string): Promise<string> {
  const [enterprise, site, area, line, machine] = key.split("/");
  const m = await prisma.machine.findFirst({
    where: { slug: machine ?? "", line: { slug: line ?? "", area: { slug: area ?? "", site: { slug: site ?? "", enterprise: { slug: enterprise ?? "" } } } } },
    select: { id: true },
  });
  if (!m) throw new AlertError("not_found", `no machine ${key}`);
  return m.id;
}

/** A detector saw the condition (again): open, update, escalate or reopen the alert of that machine and cause. */
export async function raiseAlert(deps: AlertDeps, s: AlertSignal): Promise<{ alert: Alert; change: "opened" | "updated" | "escalated" | "reopened" }> {
  try {
    return await raiseOnce(deps, s);
  } catch (e) {
    // two raises of the same new condition at once: the unique index let one create it; update it
    if ((e as { code?: string }).code === "P2002") return raiseOnce(deps, s);
    throw e;
  }
}

async function raiseOnce(deps: AlertDeps, s: AlertSignal): Promise<{ alert: Alert; change: "opened" | "updated" | "escalated" | "reopened" }> {
  const { prisma } = deps;
  const machineId = await machineIdOf(prisma, s.machineKey);
  const at = new Date(s.at);
  const seen = {
    value: s.value,
    baseline: s.baseline ?? null,
    zone: s.zone ?? null,
    explanation: s.explanation,
    suggestedAction: s.suggestedAction,
    lastSeenAt: at,
  };
  const active = await prisma.alert.findFirst({ where: { machineId, cause: s.cause, status: { in: ["OPEN", "ACKNOWLEDGED"] } } });
  if (active) {
    const escalate = RANK[s.severity] > RANK[active.severity as Severity];
    const alert = await prisma.alert.update({ where: { id: active.id }, data: { ...seen, ...(escalate ? { severity: s.severity, status: "OPEN" } : {}) } });
    if (escalate) await announce(deps, alert, "escalated");
    return { alert, change: escalate ? "escalated" : "updated" };
  }
  const flapSince = new Date(s.at - (deps.flapWindowMs ?? 10 * 60_000));
  const recent = await prisma.alert.findFirst({
    where: { machineId, cause: s.cause, status: "CLEARED", clearedAt: { gte: flapSince } },
    orderBy: { clearedAt: "desc" },
  });
  if (recent) {
    const alert = await prisma.alert.update({
      where: { id: recent.id },
      data: {
        ...seen,
        status: "OPEN",
        clearedAt: null,
        flaps: { increment: 1 },
        severity: RANK[s.severity] > RANK[recent.severity as Severity] ? s.severity : recent.severity,
      },
    });
    await announce(deps, alert, "reopened");
    return { alert, change: "reopened" };
  }
  const alert = await prisma.alert.create({
    data: {
      ...seen,
      machineId,
      machineKey: s.machineKey,
      siteKey: s.machineKey.split("/").slice(0, 2).join("/"),
      cause: s.cause,
      feature: s.feature,
      severity: s.severity,
      detectorVersion: s.detectorVersion,
      onsetAt: at,
    },
  });
  await announce(deps, alert, "opened");
  return { alert, change: "opened" };
}

/** Active alerts (of these machines, or all) whose condition has not come back for `quietMs` are cleared. */
export async function autoClear(deps: AlertDeps, now: number, quietMs: number, machineKeys?: readonly string[]): Promise<number> {
  const stale = await deps.prisma.alert.findMany({
    where: {
      status: { in: ["OPEN", "ACKNOWLEDGED"] },
      lastSeenAt: { lt: new Date(now - quietMs) },
      ...(machineKeys ? { machineKey: { in: [...machineKeys] } } : {}),
    },
  });
  for (const a of stale) {
    const alert = await deps.prisma.alert.update({ where: { id: a.id }, data: { status: "CLEARED", clearedAt: new Date(now) } });
    await announce(deps, alert, "cleared");
  }
  return stale.length;
}

async function forActor(deps: AlertDeps, actor: AlertActor, id: string): Promise<Alert> {
  const a = await deps.prisma.alert.findUnique({ where: { id } });
  if (!a) throw new AlertError("not_found", `no alert ${id}`);
  if (actor.sites !== "all" && !actor.sites.includes(a.siteKey)) throw new AlertError("forbidden", `${actor.name} may not act on site ${a.siteKey}`);
  return a;
}

async function change(
  deps: AlertDeps,
  actor: AlertActor,
  a: Alert,
  action: string,
  data: Parameters<PrismaClient["alert"]["update"]>[0]["data"],
  details: object,
) {
  const [alert] = await deps.prisma.$transaction([
    deps.prisma.alert.update({ where: { id: a.id }, data }),
    deps.prisma.auditLog.create({
      data: {
        actor: actor.name,
        ...(actor.origin ? { origin: actor.origin } : {}),
        action,
        subject: a.machineKey,
        siteSlug: a.siteKey.split("/")[1] ?? null,
        result: "ok",
        details: { alert: a.id, ...details },
      },
    }),
  ]);
  await announce(deps, alert, action.replace("alert.", ""));
  return alert;
}

export async function acknowledgeAlert(deps: AlertDeps, actor: AlertActor, id: string): Promise<Alert> {
  const a = await forActor(deps, actor, id);
  if (a.status !== "OPEN") throw new AlertError("conflict", `the alert is ${a.status.toLowerCase()}, not open`);
  return change(deps, actor, a, "alert.acknowledged", { status: "ACKNOWLEDGED", acknowledgedBy: actor.name, acknowledgedAt: new Date() }, {});
}

export async function assignAlert(deps: AlertDeps, actor: AlertActor, id: string, assignee: string): Promise<Alert> {
  const a = await forActor(deps, actor, id);
  if (a.status === "RESOLVED" || a.status === "CLEARED") throw new AlertError("conflict", `the alert is ${a.status.toLowerCase()}`);
  return change(deps, actor, a, "alert.assigned", { assignee }, { assignee });
}

export async function resolveAlert(deps: AlertDeps, actor: AlertActor, id: string, note: string): Promise<Alert> {
  const a = await forActor(deps, actor, id);
  if (a.status === "RESOLVED") throw new AlertError("conflict", "the alert is resolved already");
  if (!note.trim()) throw new AlertError("invalid", "body.note: say what was found and done");
  return change(
    deps,
    actor,
    a,
    "alert.resolved",
    { status: "RESOLVED", resolvedBy: actor.name, resolvedAt: new Date(), resolveNote: note.trim() },
    { note: note.trim() },
  );
}

export async function listAlerts(
  prisma: PrismaClient,
  q: { sites: "all" | readonly string[]; site?: string; status?: string[]; severity?: Severity; limit?: number },
): Promise<Alert[]> {
  return prisma.alert.findMany({
    where: {
      ...(q.sites === "all" ? {} : { siteKey: { in: [...q.sites] } }),
      ...(q.site ? { siteKey: q.site } : {}),
      ...(q.status?.length ? { status: { in: q.status as Alert["status"][] } } : {}),
      ...(q.severity ? { severity: q.severity } : {}),
    },
    orderBy: [{ lastSeenAt: "desc" }],
    take: q.limit ?? 200,
  });
}

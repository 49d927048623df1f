// Maintenance alerts and their lifecycle: open → acknowledged (by whom) → resolved (by whom, with a
// note), or cleared automatically when the machine has produced a while without the condition. One active alert
// per machine and cause (a partial unique index enforces it); a condition that comes back within the
// flap window reopens its cleared alert instead of opening a new one. Every change is published on
// the site's MQTT alerts topic and, for people's actions, audited. The rules are in
// lib/domain/pdm/alert-rules.ts, the rows in lib/adapters/db/alerts.ts.

import {
  type Alert,
  type AlertChange,
  type AlertQuery,
  changeAlertAudited,
  clearAlert,
  createAlert,
  findActiveAlert,
  findAlert,
  findAlerts,
  findClearedSince,
  findQuietAlerts,
  isDuplicate,
  machineIdOf,
  reopenAlert,
  updateSeen,
} from "#lib/adapters/db/alerts.ts";
import { siteSlugOf } from "#lib/adapters/db/audit.ts";
import type { PrismaClient } from "#lib/adapters/db/client.ts";
import { RefusedError } from "#lib/contract/errors.ts";
import { asSiteKey, parseMachineKey, siteOf } from "#lib/contract/identity.ts";
import { alertsTopic } from "#lib/contract/topics.ts";
import {
  type AlertSignal,
  acknowledgeRefusal,
  assignRefusal,
  escalates,
  flapSince,
  quietBefore,
  quietLongEnough,
  type Refusal,
  type RunningMs,
  reopenedSeverity,
  resolveRefusal,
  type Severity,
  siteRefusal,
  withForecast,
} from "#lib/domain/pdm/alert-rules.ts";
import type { RulForecast } from "#lib/domain/pdm/rul.ts";

export type { AlertSignal, Severity };

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
  /** the machine's remaining-useful-life forecast at a time (lib/features/pdm/rul.ts), added to the explanation */
  /** the forecast of the machine's next zone crossing; `measuredZone`: the zone of the signal's latest measurement */
  forecast?: (machineKey: string, at: number, measuredZone?: string) => Promise<RulForecast | undefined>;
}

/** A refused request (lib/contract/errors.ts); the API answers it with its code. */
export class AlertError extends RefusedError {}

function refuse(r: Refusal): void {
  if (r) throw new AlertError(r.code, r.message);
}

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

/** A detector saw the condition (again): open, update, escalate or reopen the alert of that machine and cause. */
export async function raiseAlert(deps: AlertDeps, s: AlertSignal): Promise<{ alert: Alert; change: "opened" | "updated" | "escalated" | "reopened" }> {
  try {
    return await raiseOnce(deps, s);
  } catch (e) {
    // two raises of the same new condition at once: the unique index let one create it; update it
    if (isDuplicate(e)) return raiseOnce(deps, s);
    throw e;
  }
}

async function raiseOnce(deps: AlertDeps, raised: AlertSignal): Promise<{ alert: Alert; change: "opened" | "updated" | "escalated" | "reopened" }> {
  const { prisma } = deps;
  const s = deps.forecast ? withForecast(raised, await forecastOrNone(deps.forecast, raised)) : raised;
  const parsed = parseMachineKey(s.machineKey);
  const machineId = parsed.ok ? await machineIdOf(prisma, parsed.path) : undefined;
  if (!parsed.ok || !machineId) throw new AlertError("not_found", `no machine ${s.machineKey}`);
  const at = new Date(s.at);
  const seen = {
    value: s.value,
    baseline: s.baseline ?? null,
    zone: s.zone ?? null,
    explanation: s.explanation,
    suggestedAction: s.suggestedAction,
    lastSeenAt: at,
  };
  const active = await findActiveAlert(prisma, machineId, s.cause);
  if (active) {
    const escalate = escalates(active.severity, s.severity);
    const alert = await updateSeen(prisma, active.id, seen, escalate ? s.severity : undefined);
    if (escalate) await announce(deps, alert, "escalated");
    return { alert, change: escalate ? "escalated" : "updated" };
  }
  const recent = await findClearedSince(prisma, machineId, s.cause, new Date(flapSince(s.at, deps.flapWindowMs)));
  if (recent) {
    const alert = await reopenAlert(prisma, recent.id, seen, reopenedSeverity(recent.severity, s.severity));
    await announce(deps, alert, "reopened");
    return { alert, change: "reopened" };
  }
  const alert = await createAlert(prisma, {
    ...seen,
    machineId,
    machineKey: s.machineKey,
    siteKey: siteOf(parsed.key),
    cause: s.cause,
    feature: s.feature,
    severity: s.severity,
    detectorVersion: s.detectorVersion,
    onsetAt: at,
  });
  await announce(deps, alert, "opened");
  return { alert, change: "opened" };
}

/** A forecast that cannot be made (QuestDB away) leaves the alert without one: it never stops the alert. */
async function forecastOrNone(forecast: NonNullable<AlertDeps["forecast"]>, s: AlertSignal): Promise<RulForecast | undefined> {
  try {
    return await forecast(s.machineKey, s.at, s.zone);
  } catch (e) {
    console.warn(`no forecast for ${s.machineKey}: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

/**
 * Active alerts (of these machines, or all) whose condition has not come back for `quietMs` are
 * cleared. With `runningMs` (the machine's producing time since a time), only the time the machine
 * produced counts as quiet: a stop (a weekend, a repair) keeps its alerts for the crew.
 */
export async function autoClear(deps: AlertDeps, now: number, quietMs: number, machineKeys?: readonly string[], runningMs?: RunningMs): Promise<number> {
  let cleared = 0;
  for (const a of await findQuietAlerts(deps.prisma, new Date(quietBefore(now, quietMs)), machineKeys)) {
    if (runningMs && !quietLongEnough(await runningMs(a.machineKey, a.lastSeenAt.getTime()), quietMs)) continue;
    const alert = await clearAlert(deps.prisma, a.id, new Date(now));
    await announce(deps, alert, "cleared");
    cleared++;
  }
  return cleared;
}

async function forActor(deps: AlertDeps, actor: AlertActor, id: string): Promise<Alert> {
  const a = await findAlert(deps.prisma, id);
  if (!a) throw new AlertError("not_found", `no alert ${id}`);
  refuse(siteRefusal(actor, a.siteKey));
  return a;
}

/** A person's change: saved with its audit record, then published. */
async function change(deps: AlertDeps, actor: AlertActor, a: Alert, action: string, data: AlertChange, details: object): Promise<Alert> {
  const alert = await changeAlertAudited(deps.prisma, a.id, data, {
    actor: actor.name,
    origin: actor.origin,
    action,
    subject: a.machineKey,
    siteSlug: siteSlugOf(a.siteKey),
    details: { alert: a.id, ...details },
  });
  await announce(deps, alert, action.replace("alert.", ""));
  return alert;
}

export async function acknowledgeAlert(deps: AlertDeps, actor: AlertActor, id: string): Promise<Alert> {
  const a = await forActor(deps, actor, id);
  refuse(acknowledgeRefusal(a.status));
  return change(deps, actor, a, "alert.acknowledged", { status: "ACKNOWLEDGED", acknowledgedBy: actor.name, acknowledgedAt: new Date() }, {});
}

export async function assignAlert(deps: AlertDeps, actor: AlertActor, id: string, assignee: string): Promise<Alert> {
  const a = await forActor(deps, actor, id);
  refuse(assignRefusal(a.status));
  return change(deps, actor, a, "alert.assigned", { assignee }, { assignee });
}

export async function resolveAlert(deps: AlertDeps, actor: AlertActor, id: string, note: string): Promise<Alert> {
  const a = await forActor(deps, actor, id);
  refuse(resolveRefusal(a.status, note));
  return change(
    deps,
    actor,
    a,
    "alert.resolved",
    { status: "RESOLVED", resolvedBy: actor.name, resolvedAt: new Date(), resolveNote: note.trim() },
    { note: note.trim() },
  );
}

export async function listAlerts(prisma: PrismaClient, q: AlertQuery): Promise<Alert[]> {
  return findAlerts(prisma, q);
}

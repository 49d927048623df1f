// Stores what the demo's people did in the history (lib/features/sim/history-actions.ts) as the live
// paths would have: reason edits with their audit rows, and commands with every status change, its
// event and audit row, dated when they happened. In one transaction, written directly (the history's
// machines answered in the simulation, not over MQTT); nothing is recomputed here: the OEE worker's
// catch-up reads the reason edits when it computes the history.
import { randomUUID } from "node:crypto";
import { EXPIRY_S } from "#lib/contract/commands.ts";
import { type MachineKey, siteOf } from "#lib/contract/identity.ts";
import { type CommandEvent, nextStatus } from "#lib/domain/commands/lifecycle.ts";
import { loadMachineIds } from "./assets.ts";
import { siteSlugOf } from "./audit.ts";
import type { Prisma, PrismaClient } from "./client.ts";

/** A downtime reason given after the fact (lib/features/sim/history-actions.ts decides them). */
export interface DemoReasonEdit {
  machine: { key: MachineKey };
  start: number;
  end: number;
  reason: string;
  by: string;
  at: number;
}

/** A command and the simulated machine's answer to it. */
export interface DemoCommand {
  machine: { key: MachineKey };
  type: string;
  params: Record<string, unknown>;
  requestedBy: string;
  at: number;
  outcome: { status: "completed" } | { status: "rejected"; reason: string };
}

type Status = NonNullable<ReturnType<typeof nextStatus>>;

/** The status changes of a command the machine answered at once: [event, status, ms after the request]. */
function answered(c: DemoCommand): [CommandEvent, number][] {
  const steps: [CommandEvent, number][] = [
    ["queue", 0],
    ["send", 150],
  ];
  if (c.outcome.status === "rejected") steps.push([{ answer: "rejected" }, 400]);
  else steps.push([{ answer: "accepted" }, 400], [{ answer: "completed" }, 900]);
  return steps;
}

/** Saves the history's reason edits and commands; returns how many of each. */
export async function saveDemoActions(
  prisma: PrismaClient,
  a: { edits: readonly DemoReasonEdit[]; commands: readonly DemoCommand[] },
): Promise<{ edits: number; commands: number }> {
  const ids = await loadMachineIds(prisma);
  const idOf = (key: string) => {
    const id = ids.get(key);
    if (!id) throw new Error(`the history's machine ${key} is not in the asset model`);
    return id;
  };
  const auditRows: Prisma.AuditLogCreateManyInput[] = [];
  const editRows: Prisma.ReasonEditCreateManyInput[] = a.edits.map((e) => {
    const details = { start: new Date(e.start).toISOString(), end: new Date(e.end).toISOString(), reason: e.reason };
    auditRows.push({
      at: new Date(e.at),
      actor: e.by,
      action: "downtime.reason.assign",
      subject: e.machine.key,
      siteSlug: siteSlugOf(e.machine.key),
      result: "ok",
      details,
    });
    return {
      machineId: idOf(e.machine.key),
      start: new Date(e.start),
      end: new Date(e.end),
      reason: e.reason,
      kind: "assign",
      createdBy: e.by,
      createdAt: new Date(e.at),
    };
  });
  const commandRows: Prisma.CommandCreateManyInput[] = [];
  const eventRows: Prisma.CommandEventCreateManyInput[] = [];
  for (const c of a.commands) {
    const id = randomUUID();
    const key = c.machine.key;
    const reason = c.outcome.status === "rejected" ? c.outcome.reason : undefined;
    const stamps: Partial<Record<"sentAt" | "acceptedAt" | "finishedAt", Date>> = {};
    auditRows.push({
      at: new Date(c.at),
      actor: c.requestedBy,
      action: "command.requested",
      subject: key,
      siteSlug: siteSlugOf(key),
      result: "queued",
      details: { command: id, type: c.type, params: c.params as Prisma.InputJsonObject, confirmed: true, expiresInS: EXPIRY_S.default },
    });
    eventRows.push({ commandId: id, at: new Date(c.at), to: "CREATED", actor: c.requestedBy });
    let status: Status = "CREATED";
    for (const [event, ms] of answered(c)) {
      const to = nextStatus(status, event);
      if (!to) throw new Error(`no ${JSON.stringify(event)} from ${status}`);
      const at = new Date(c.at + ms);
      const actor = typeof event === "object" ? `machine ${key}` : event === "queue" ? c.requestedBy : "command-service";
      const why = to === "REJECTED" ? reason : undefined;
      eventRows.push({ commandId: id, at, from: status, to, actor, ...(why ? { reason: why } : {}) });
      if (to !== "QUEUED") {
        const details = { command: id, type: c.type, from: status, ...(why ? { reason: why } : {}) };
        auditRows.push({ at, actor, action: `command.${to.toLowerCase()}`, subject: key, siteSlug: siteSlugOf(key), result: to.toLowerCase(), details });
      }
      if (to === "SENT") stamps.sentAt = at;
      if (to === "ACCEPTED") stamps.acceptedAt = at;
      if (to === "COMPLETED" || to === "REJECTED") stamps.finishedAt = at;
      status = to;
    }
    commandRows.push({
      id,
      machineId: idOf(key),
      machineKey: key,
      siteKey: siteOf(key),
      type: c.type,
      params: c.params as Prisma.InputJsonObject,
      status,
      ...(reason ? { reason } : {}),
      requestedBy: c.requestedBy,
      confirmed: true,
      expiresAt: new Date(c.at + EXPIRY_S.default * 1000),
      createdAt: new Date(c.at),
      publishes: 1,
      ...stamps,
    });
  }
  await prisma.$transaction(async (tx) => {
    await tx.reasonEdit.createMany({ data: editRows });
    await tx.command.createMany({ data: commandRows });
    await tx.commandEvent.createMany({ data: eventRows });
    await tx.auditLog.createMany({ data: auditRows.sort((x, y) => (x.at as Date).getTime() - (y.at as Date).getTime()) });
  });
  return { edits: editRows.length, commands: commandRows.length };
}

/**
 * Deletes what the plant did (`andon demo reset`): commands, alerts, reason edits, the OEE cursors and
 * the audit entries of the demo's simulated people; keeps the asset model, accounts, tokens and every
 * other audit entry, and records the reset itself. Returns how many rows of each went.
 */
export async function clearPlantRecords(prisma: PrismaClient, by: string): Promise<Record<string, number>> {
  return prisma.$transaction(async (tx) => {
    const gone = {
      commands: (await tx.command.deleteMany({})).count,
      alerts: (await tx.alert.deleteMany({})).count,
      reasonEdits: (await tx.reasonEdit.deleteMany({})).count,
      oeeCursors: (await tx.oeeCursor.deleteMany({})).count,
      demoAuditEntries: (await tx.auditLog.deleteMany({ where: { actor: { startsWith: "demo." } } })).count,
    };
    await tx.auditLog.create({ data: { actor: by, action: "demo.reset", subject: "plant", result: "ok", details: gone } });
    return gone;
  });
}

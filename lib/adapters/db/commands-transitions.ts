// Every change of a command's status: a conditional update (the status just read), its timestamped
// event row and its audit row in one transaction. The lifecycle rules are in
// lib/domain/commands/lifecycle.ts; this module only applies them, so a redelivered answer, a
// second service instance or a restart changes nothing twice. Each change is announced (NOTIFY, on
// commit) for the dashboard's live command status: ./command-status.ts.
import { type CommandEvent, type CommandStatus, nextStatus } from "#lib/domain/commands/lifecycle.ts";
import { audit, siteSlugOf } from "./audit.ts";
import type { PrismaClient } from "./client.ts";
import { notifyCommandStatus } from "./command-status.ts";
import type { Command } from "./generated/client.ts";

const STAMP: Partial<Record<CommandStatus, "sentAt" | "acceptedAt" | "finishedAt">> = {
  SENT: "sentAt",
  ACCEPTED: "acceptedAt",
  COMPLETED: "finishedAt",
  REJECTED: "finishedAt",
  FAILED: "finishedAt",
  EXPIRED: "finishedAt",
  CANCELLED: "finishedAt",
};

/**
 * A command was about to become SENT after its expiry (the transition waited, e.g. on a lock or a
 * slow database): nothing was changed, and it must be expired instead, never published.
 */
export class ExpiredBeforeSend extends Error {
  override name = "ExpiredBeforeSend";
  constructor(readonly id: string) {
    super(`command ${id} expired before it could be sent`);
  }
}

export interface TransitionBy {
  actor: string;
  reason?: string;
  origin?: string;
  at?: number;
}

/**
 * Applies `event` to command `id` if its current status allows it (a conditional update), with its
 * event row and audit row in the same transaction. Returns the updated command, or undefined when
 * the event did not apply: a redelivered answer or a second timeout changes nothing. A "send" that
 * would complete at or after the command's expiry is rolled back with ExpiredBeforeSend.
 */
export async function transition(prisma: PrismaClient, id: string, event: CommandEvent, o: TransitionBy): Promise<Command | undefined> {
  const at = new Date(o.at ?? Date.now());
  return prisma.$transaction(async (tx) => {
    const c = await tx.command.findUnique({ where: { id } });
    if (!c) return undefined;
    const to = nextStatus(c.status, event);
    if (!to) return undefined;
    const stamp = STAMP[to];
    const res = await tx.command.updateMany({
      // the status just read: a concurrent transition (a redelivered answer) makes this match nothing
      where: { id, status: c.status },
      data: {
        status: to,
        ...(stamp ? { [stamp]: at } : {}),
        ...(o.reason && to !== "SENT" && to !== "ACCEPTED" ? { reason: o.reason } : {}),
        ...(to === "SENT" ? { publishes: { increment: 1 } } : {}),
      },
    });
    if (res.count !== 1) return undefined;
    // checked after the update, which may have waited for a lock: the clock now, not when we started
    if (to === "SENT" && c.expiresAt.getTime() <= Date.now()) throw new ExpiredBeforeSend(id);
    await tx.commandEvent.create({ data: { commandId: id, at, from: c.status, to, actor: o.actor, ...(o.reason ? { reason: o.reason } : {}) } });
    await audit(tx, {
      at,
      actor: o.actor,
      origin: o.origin,
      action: `command.${to.toLowerCase()}`,
      subject: c.machineKey,
      siteSlug: siteSlugOf(c.machineKey),
      result: to.toLowerCase(),
      details: { command: id, type: c.type, from: c.status, ...(o.reason ? { reason: o.reason } : {}) },
    });
    await notifyCommandStatus(tx, { id, machineKey: c.machineKey, siteKey: c.siteKey, status: to });
    return tx.command.findUniqueOrThrow({ where: { id } });
  });
}

/**
 * Records that a command still SENT is published once more (the command service restarted and
 * cannot know whether the machine got it): `publishes` counts it and its history has an event
 * SENT -> SENT saying so. Returns the command, or undefined when it is no longer SENT.
 */
export async function recordRepublish(prisma: PrismaClient, id: string, o: { actor: string; reason: string; at?: number }): Promise<Command | undefined> {
  const at = new Date(o.at ?? Date.now());
  return prisma.$transaction(async (tx) => {
    const res = await tx.command.updateMany({ where: { id, status: "SENT" }, data: { publishes: { increment: 1 } } });
    if (res.count !== 1) return undefined;
    const c = await tx.command.findUniqueOrThrow({ where: { id } });
    const reason = `${o.reason} (publish ${c.publishes})`;
    await tx.commandEvent.create({ data: { commandId: id, at, from: "SENT", to: "SENT", actor: o.actor, reason } });
    await audit(tx, {
      at,
      actor: o.actor,
      action: "command.republished",
      subject: c.machineKey,
      siteSlug: siteSlugOf(c.machineKey),
      result: "sent",
      details: { command: id, type: c.type, publishes: c.publishes, reason },
    });
    await notifyCommandStatus(tx, { id, machineKey: c.machineKey, siteKey: c.siteKey, status: "SENT" });
    return c;
  });
}

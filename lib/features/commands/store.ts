// Commands in PostgreSQL: requesting one (access, confirmation, parameters, idempotency by id),
// cancelling, every transition as a conditional update with its timestamped event and audit row,
// and the queries the API and the command service need. The lifecycle rules are in
// lib/domain/commands/lifecycle.ts; this module only applies them.

import { randomUUID } from "node:crypto";
import type { PrismaClient } from "#lib/adapters/db/client.ts";
import type { Command, CommandEvent as CommandEventRow } from "#lib/adapters/db/generated/client.ts";
import { COMMAND_TYPES, type CommandType, EXPIRY_S, parseCommandParams } from "#lib/contract/commands.ts";
import { RefusedError } from "#lib/contract/errors.ts";
import type { Principal } from "#lib/domain/auth/policy.ts";
import { type CommandEvent, type CommandStatus, nextStatus } from "#lib/domain/commands/lifecycle.ts";

/** A refused request (lib/contract/errors.ts); the API answers it with its code. */
export class CommandError extends RefusedError {}

/** The NOTIFY channel that wakes the command service when a command is queued or cancelled. */
export const COMMANDS_CHANNEL = "andon_commands";

export interface CommandRequestInput {
  /** client-chosen id: sending the same request twice creates one command */
  id?: string;
  machine: string;
  type: CommandType;
  params?: unknown;
  /** a hazardous command needs `confirm: true` */
  confirm?: boolean;
  expiresInS?: number;
  alertId?: string;
}

/** May `p` send commands of `type` to machines of `site`? */
export function maySend(p: Principal, type: CommandType, site: string): boolean {
  const roles: readonly string[] = COMMAND_TYPES[type].roles;
  return roles.includes(p.role) && (p.sites === "all" || p.sites.includes(site));
}

const siteOf = (machineKey: string) => machineKey.split("/").slice(0, 2).join("/");

/**
 * Validates and stores a command as QUEUED (events CREATED and QUEUED, an audit row), then wakes the
 * command service. Returns `created: false` for a repeated request (same id, same command).
 */
export async function requestCommand(
  prisma: PrismaClient,
  p: Principal,
  input: CommandRequestInput,
  origin?: string,
  now = Date.now(),
): Promise<{ command: Command; created: boolean }> {
  const spec = COMMAND_TYPES[input.type];
  const site = siteOf(input.machine);
  if (!maySend(p, input.type, site)) {
    const allowed = spec.roles.map((r) => r.toLowerCase().replace("_", " ")).join(", ");
    throw new CommandError("forbidden", `${p.name} may not send "${input.type}" to ${site}: it needs one of the roles ${allowed} on that site`);
  }
  if (spec.hazardous && input.confirm !== true) {
    throw new CommandError(
      "invalid",
      `"${input.type}" moves or stops machinery: confirm it explicitly (confirm: true) after checking the machine is safe to ${input.type.replace("_", " ")}`,
    );
  }
  const parsed = parseCommandParams(input.type, input.params);
  if (!parsed.ok) throw new CommandError("invalid", parsed.reason);
  if (JSON.stringify(parsed.params).includes("\\u0000")) throw new CommandError("invalid", "params: text must not contain NUL characters");
  const expiresInS = input.expiresInS ?? EXPIRY_S.default;
  if (!(expiresInS >= EXPIRY_S.min && expiresInS <= EXPIRY_S.max)) {
    throw new CommandError("invalid", `expiresInS must be between ${EXPIRY_S.min} and ${EXPIRY_S.max} seconds`);
  }
  const [enterprise, siteSlug, area, line, slug] = input.machine.split("/");
  const machine = await prisma.machine.findFirst({
    where: { slug, line: { slug: line, area: { slug: area, site: { slug: siteSlug, enterprise: { slug: enterprise } } } } },
    select: { id: true },
  });
  if (!machine) throw new CommandError("not_found", `no machine ${input.machine}`);

  const id = input.id ?? randomUUID();
  const existing = await prisma.command.findUnique({ where: { id } });
  if (existing) return { command: sameRequest(existing, input, parsed.params), created: false };
  try {
    const command = await prisma.$transaction(async (tx) => {
      const c = await tx.command.create({
        data: {
          id,
          machineId: machine.id,
          machineKey: input.machine,
          siteKey: site,
          type: input.type,
          params: parsed.params as object,
          status: "QUEUED",
          requestedBy: p.name,
          ...(origin ? { origin } : {}),
          confirmed: input.confirm === true,
          ...(input.alertId ? { alertId: input.alertId } : {}),
          expiresAt: new Date(now + expiresInS * 1000),
          createdAt: new Date(now),
        },
      });
      await tx.commandEvent.createMany({
        data: [
          { commandId: id, at: new Date(now), to: "CREATED", actor: p.name },
          { commandId: id, at: new Date(now), from: "CREATED", to: "QUEUED", actor: p.name },
        ],
      });
      await tx.auditLog.create({
        data: {
          actor: p.name,
          ...(origin ? { origin } : {}),
          action: "command.requested",
          subject: input.machine,
          siteSlug: siteSlug ?? null,
          result: "queued",
          details: { command: id, type: input.type, params: parsed.params as object, confirmed: input.confirm === true, expiresInS },
        },
      });
      return c;
    });
    await wake(prisma, command.machineId);
    return { command, created: true };
  } catch (e) {
    // the same id sent twice at the same moment: the second insert loses; answer like a repeat
    if ((e as { code?: string }).code === "P2002") {
      const again = await prisma.command.findUnique({ where: { id } });
      if (again) return { command: sameRequest(again, input, parsed.params), created: false };
    }
    throw e;
  }
}

/** JSON with object keys sorted: PostgreSQL's JSONB keeps its own key order, zod the schema's. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

function sameRequest(c: Command, input: CommandRequestInput, params: Record<string, unknown>): Command {
  if (c.machineKey !== input.machine || c.type !== input.type || canonical(c.params) !== canonical(params)) {
    // say nothing about the other command: it may belong to a site the caller may not see
    throw new CommandError("conflict", `command id ${c.id} is already used by another command; choose a new id`);
  }
  return c;
}

/**
 * Wakes the command service at once. Called after the command is committed: a failure here (the
 * database gone that moment) must not turn a saved request into an error; the service's tick
 * (COMMAND_TICK_MS) finds the command anyway.
 */
async function wake(prisma: PrismaClient, machineId: string) {
  await prisma.$executeRaw`SELECT pg_notify(${COMMANDS_CHANNEL}, ${machineId})`.catch(() => undefined);
}

/** A command `p` may see (its site), or not_found/forbidden. */
export async function commandFor(prisma: PrismaClient, p: Principal, id: string): Promise<Command & { events: CommandEventRow[] }> {
  const c = await prisma.command.findUnique({ where: { id }, include: { events: { orderBy: [{ at: "asc" }, { id: "asc" }] } } });
  if (!c) throw new CommandError("not_found", `no command ${id}`);
  if (p.sites !== "all" && !p.sites.includes(c.siteKey)) throw new CommandError("forbidden", `${p.name} may not see commands of ${c.siteKey}`);
  return c;
}

/** Cancels a command that has not been sent yet (whoever may send its type on its site). */
export async function cancelCommand(prisma: PrismaClient, p: Principal, id: string, origin?: string): Promise<Command> {
  const c = await commandFor(prisma, p, id);
  if (!maySend(p, c.type as CommandType, c.siteKey)) throw new CommandError("forbidden", `${p.name} may not cancel "${c.type}" commands on ${c.siteKey}`);
  const done = await transition(prisma, c.id, "cancel", { actor: p.name, reason: `cancelled by ${p.name}`, ...(origin ? { origin } : {}) });
  if (!done) {
    const now = await prisma.command.findUniqueOrThrow({ where: { id } });
    throw new CommandError(
      "conflict",
      `the command is ${now.status.toLowerCase()}: only a queued command can be cancelled (one sent to the machine cannot be called back)`,
    );
  }
  await wake(prisma, c.machineId);
  return done;
}

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

/**
 * Applies `event` to command `id` if its current status allows it (a conditional update), with its
 * event row and audit row in the same transaction. Returns the updated command, or undefined when
 * the event did not apply: a redelivered answer or a second timeout changes nothing. A "send" that
 * would complete at or after the command's expiry is rolled back with ExpiredBeforeSend.
 */
export async function transition(
  prisma: PrismaClient,
  id: string,
  event: CommandEvent,
  o: { actor: string; reason?: string; origin?: string; at?: number },
): Promise<Command | undefined> {
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
    await tx.auditLog.create({
      data: {
        at,
        actor: o.actor,
        ...(o.origin ? { origin: o.origin } : {}),
        action: `command.${to.toLowerCase()}`,
        subject: c.machineKey,
        siteSlug: c.siteKey.split("/")[1] ?? null,
        result: to.toLowerCase(),
        details: { command: id, type: c.type, from: c.status, ...(o.reason ? { reason: o.reason } : {}) },
      },
    });
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
    await tx.auditLog.create({
      data: {
        at,
        actor: o.actor,
        action: "command.republished",
        subject: c.machineKey,
        siteSlug: c.siteKey.split("/")[1] ?? null,
        result: "sent",
        details: { command: id, type: c.type, publishes: c.publishes, reason },
      },
    });
    return c;
  });
}

export interface CommandQuery {
  sites: "all" | readonly string[];
  machine?: string;
  site?: string;
  limit?: number;
}

/** Newest first, with their events. */
export async function listCommands(prisma: PrismaClient, q: CommandQuery) {
  return prisma.command.findMany({
    where: {
      ...(q.sites === "all" ? {} : { siteKey: { in: [...q.sites] } }),
      ...(q.machine ? { machineKey: q.machine } : {}),
      ...(q.site ? { siteKey: q.site } : {}),
    },
    orderBy: { seq: "desc" },
    take: q.limit ?? 100,
    include: { events: { orderBy: [{ at: "asc" }, { id: "asc" }] } },
  });
}

export function commandJson(c: Command & { events?: CommandEventRow[] }) {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: c.id,
    machineKey: c.machineKey,
    siteKey: c.siteKey,
    type: c.type,
    params: c.params as Record<string, unknown>,
    status: c.status,
    reason: c.reason,
    requestedBy: c.requestedBy,
    confirmed: c.confirmed,
    alertId: c.alertId,
    createdAt: c.createdAt.toISOString(),
    expiresAt: c.expiresAt.toISOString(),
    sentAt: iso(c.sentAt),
    acceptedAt: iso(c.acceptedAt),
    finishedAt: iso(c.finishedAt),
    publishes: c.publishes,
    events: (c.events ?? []).map((e) => ({ at: e.at.toISOString(), from: e.from, to: e.to, actor: e.actor, reason: e.reason })),
  };
}

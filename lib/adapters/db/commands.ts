// Commands in PostgreSQL: the reads and writes of the command API and the command service. The
// status transitions (conditional updates with their events) are in ./commands-transitions.ts.
import { preview } from "#lib/contract/preview.ts";
import { audit, siteSlugOf } from "./audit.ts";
import type { PrismaClient } from "./client.ts";
import { notifyCommandStatus } from "./command-status.ts";
import type { Command, CommandEvent as CommandEventRow, Prisma } from "./generated/client.ts";

export type { Command, CommandEventRow };
export type CommandWithEvents = Command & { events: CommandEventRow[] };

/** The NOTIFY channel that wakes the command service when a command is queued or cancelled. */
export const COMMANDS_CHANNEL = "andon_commands";

const EVENTS_IN_ORDER = { events: { orderBy: [{ at: "asc" as const }, { id: "asc" as const }] } };

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/**
 * Text PostgreSQL stores whatever a machine sent: at most `max` UTF-16 units, NUL written as the
 * text \u0000 (refused in text and JSON), and no lone surrogate (JSONB refuses "\ud800"; cutting a
 * string can split a pair).
 */
export const storable = (t: string, max = 2000) => t.slice(0, max).replace(LONE_SURROGATE, "\ufffd").replaceAll("\u0000", "\\u0000");

/** The message of whatever was thrown (not always an Error). */
export const messageOf = (e: unknown) => (e instanceof Error ? e.message : preview(e, 200));

/** Failures that can pass (the database or the network away), as opposed to a refusal of this write. */
export function isTransient(e: unknown): boolean {
  const code = (e as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && /^P1\d{3}$/.test(code)) return true; // Prisma: cannot reach the database
  if (typeof code === "string" && /^(ECONN|ETIMEDOUT|EPIPE|ENOTFOUND|57P|08)/.test(code)) return true; // network, shutdown, connection
  return /connect|timeout|terminat|closed/i.test(messageOf(e).slice(0, 200));
}

/** A unique constraint refused the write (Prisma P2002): the same id twice, or a second command in flight. */
export const isUniqueViolation = (e: unknown) => (e as { code?: string } | undefined)?.code === "P2002";

export async function findMachineId(
  prisma: PrismaClient,
  p: { enterprise: string; site: string; area: string; line: string; machine: string },
): Promise<string | undefined> {
  const m = await prisma.machine.findFirst({
    where: { slug: p.machine, line: { slug: p.line, area: { slug: p.area, site: { slug: p.site, enterprise: { slug: p.enterprise } } } } },
    select: { id: true },
  });
  return m?.id;
}

export const findCommand = (prisma: PrismaClient, id: string) => prisma.command.findUnique({ where: { id } });

export const findCommandWithEvents = (prisma: PrismaClient, id: string): Promise<CommandWithEvents | null> =>
  prisma.command.findUnique({ where: { id }, include: EVENTS_IN_ORDER });

export interface NewCommand {
  id: string;
  machineId: string;
  machineKey: string;
  siteKey: string;
  type: string;
  params: Record<string, unknown>;
  requestedBy: string;
  origin?: string | undefined;
  confirmed: boolean;
  alertId?: string | undefined;
  createdAt: Date;
  expiresAt: Date;
}

/**
 * Stores a command as QUEUED with its events CREATED and QUEUED and the audit row of the request,
 * in one transaction. Throws P2002 (isUniqueViolation) when the id exists.
 */
export async function insertQueuedCommand(prisma: PrismaClient, c: NewCommand, auditDetails: Record<string, unknown>): Promise<Command> {
  return prisma.$transaction(async (tx) => {
    const command = await tx.command.create({
      data: {
        id: c.id,
        machineId: c.machineId,
        machineKey: c.machineKey,
        siteKey: c.siteKey,
        type: c.type,
        params: c.params as Prisma.InputJsonObject,
        status: "QUEUED",
        requestedBy: c.requestedBy,
        ...(c.origin ? { origin: c.origin } : {}),
        confirmed: c.confirmed,
        ...(c.alertId ? { alertId: c.alertId } : {}),
        expiresAt: c.expiresAt,
        createdAt: c.createdAt,
      },
    });
    await tx.commandEvent.createMany({
      data: [
        { commandId: c.id, at: c.createdAt, to: "CREATED", actor: c.requestedBy },
        { commandId: c.id, at: c.createdAt, from: "CREATED", to: "QUEUED", actor: c.requestedBy },
      ],
    });
    await audit(tx, {
      actor: c.requestedBy,
      origin: c.origin,
      action: "command.requested",
      subject: c.machineKey,
      siteSlug: siteSlugOf(c.machineKey),
      result: "queued",
      details: auditDetails as Prisma.InputJsonObject,
    });
    await notifyCommandStatus(tx, { id: c.id, machineKey: c.machineKey, siteKey: c.siteKey, status: "QUEUED" });
    return command;
  });
}

/**
 * Wakes the command service at once (NOTIFY). A failure here (the database gone that moment) is
 * ignored: the command is committed, and the service's tick (COMMAND_TICK_MS) finds it anyway.
 */
export async function notifyCommandService(prisma: PrismaClient, machineId: string): Promise<void> {
  await prisma.$executeRaw`SELECT pg_notify(${COMMANDS_CHANNEL}, ${machineId})`.catch(() => undefined);
}

export interface CommandQuery {
  sites: "all" | readonly string[];
  machine?: string;
  site?: string;
  limit?: number;
}

/** Newest first, with their events. */
export function listCommands(prisma: PrismaClient, q: CommandQuery): Promise<CommandWithEvents[]> {
  return prisma.command.findMany({
    where: {
      ...(q.sites === "all" ? {} : { siteKey: { in: [...q.sites] } }),
      ...(q.machine ? { machineKey: q.machine } : {}),
      ...(q.site ? { siteKey: q.site } : {}),
    },
    orderBy: { seq: "desc" },
    take: q.limit ?? 100,
    include: EVENTS_IN_ORDER,
  });
}

// The command service's reads, one per step of its round (lib/features/commands/dispatch.ts).

export const enterpriseSlugs = async (prisma: PrismaClient) => (await prisma.enterprise.findMany({ select: { slug: true } })).map((e) => e.slug);

/** Commands not sent yet whose expiry has passed. */
export const expiredUnsent = (prisma: PrismaClient, now: number) =>
  prisma.command.findMany({ where: { status: { in: ["CREATED", "QUEUED"] }, expiresAt: { lte: new Date(now) } }, select: { id: true, siteKey: true } });

/** SENT commands that expired at or before `before`. */
export const sentExpiredBy = (prisma: PrismaClient, before: number) =>
  prisma.command.findMany({ where: { status: "SENT", expiresAt: { lte: new Date(before) } }, select: { id: true } });

export const acceptedCommands = (prisma: PrismaClient) => prisma.command.findMany({ where: { status: "ACCEPTED" } });

/** Machines with a command in flight (SENT or ACCEPTED). */
export const machinesInFlight = async (prisma: PrismaClient) =>
  (await prisma.command.findMany({ where: { status: { in: ["SENT", "ACCEPTED"] } }, select: { machineId: true } })).map((c) => c.machineId);

/** The oldest queued command of each machine not in `except`, in queue order. */
export const queueHeads = (prisma: PrismaClient, except: readonly string[]) =>
  prisma.command.findMany({ where: { status: "QUEUED", machineId: { notIn: [...except] } }, orderBy: { seq: "asc" }, distinct: ["machineId"] });

/** Commands SENT and not expired yet: in flight when the service last stopped. */
export const sentUnexpired = (prisma: PrismaClient, now: number) => prisma.command.findMany({ where: { status: "SENT", expiresAt: { gt: new Date(now) } } });

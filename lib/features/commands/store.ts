// The command use cases of the API: requesting one (access, confirmation, parameters, idempotency
// by id), reading and cancelling it. The commands are stored by lib/adapters/db/commands.ts and
// change status only through lib/adapters/db/commands-transitions.ts (the lifecycle rules are in
// lib/domain/commands/lifecycle.ts).

import { randomUUID } from "node:crypto";
import type { PrismaClient } from "#lib/adapters/db/client.ts";
import {
  type Command,
  type CommandQuery,
  type CommandWithEvents,
  findCommand,
  findCommandWithEvents,
  findMachineId,
  insertQueuedCommand,
  isUniqueViolation,
  listCommands as listCommandRows,
  notifyCommandService,
} from "#lib/adapters/db/commands.ts";
import { transition } from "#lib/adapters/db/commands-transitions.ts";
import { COMMAND_TYPES, type CommandType, EXPIRY_S, parseCommandParams } from "#lib/contract/commands.ts";
import { RefusedError } from "#lib/contract/errors.ts";
import { parseMachineKey, siteOf } from "#lib/contract/identity.ts";
import type { Principal } from "#lib/domain/auth/policy.ts";

export type { CommandQuery };

/** A refused request (lib/contract/errors.ts); the API answers it with its code. */
export class CommandError extends RefusedError {}

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
  const key = parseMachineKey(input.machine);
  if (!key.ok) throw new CommandError("not_found", `no machine ${input.machine}`);
  const site = siteOf(key.key);
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
  const machineId = await findMachineId(prisma, key.path);
  if (!machineId) throw new CommandError("not_found", `no machine ${input.machine}`);

  const id = input.id ?? randomUUID();
  const existing = await findCommand(prisma, id);
  if (existing) return { command: sameRequest(existing, input, parsed.params), created: false };
  const confirmed = input.confirm === true;
  try {
    const command = await insertQueuedCommand(
      prisma,
      {
        id,
        machineId,
        machineKey: key.key,
        siteKey: site,
        type: input.type,
        params: parsed.params,
        requestedBy: p.name,
        origin,
        confirmed,
        alertId: input.alertId,
        createdAt: new Date(now),
        expiresAt: new Date(now + expiresInS * 1000),
      },
      { command: id, type: input.type, params: parsed.params, confirmed, expiresInS },
    );
    await notifyCommandService(prisma, command.machineId);
    return { command, created: true };
  } catch (e) {
    // the same id sent twice at the same moment: the second insert loses; answer like a repeat
    if (isUniqueViolation(e)) {
      const again = await findCommand(prisma, id);
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

/** A command `p` may see (its site), or not_found/forbidden. */
export async function commandFor(prisma: PrismaClient, p: Principal, id: string): Promise<CommandWithEvents> {
  const c = await findCommandWithEvents(prisma, id);
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
    const now = await findCommand(prisma, id);
    if (!now) throw new CommandError("not_found", `no command ${id}`);
    throw new CommandError(
      "conflict",
      `the command is ${now.status.toLowerCase()}: only a queued command can be cancelled (one sent to the machine cannot be called back)`,
    );
  }
  await notifyCommandService(prisma, c.machineId);
  return done;
}

/** Newest first, with their events. */
export const listCommands = (prisma: PrismaClient, q: CommandQuery) => listCommandRows(prisma, q);

export function commandJson(c: Command & { events?: CommandWithEvents["events"] }) {
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

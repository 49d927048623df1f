// Commands to machines.
import { z } from "zod";
import { COMMAND_TYPE_NAMES, EXPIRY_S } from "#lib/contract/commands.ts";
import { ROLES } from "#lib/domain/auth/policy.ts";
import { COMMAND_STATUSES } from "#lib/domain/commands/lifecycle.ts";
import type { RouteSpec } from "#lib/features/dashboard/api.ts";
import { machineParams, siteOfParams, slugParam } from "./schemas.ts";

export const commandSchema = z.object({
  id: z.string(),
  machineKey: z.string(),
  siteKey: z.string(),
  type: z.enum(COMMAND_TYPE_NAMES),
  params: z.record(z.string(), z.unknown()),
  status: z.enum(COMMAND_STATUSES),
  reason: z.string().nullable(),
  requestedBy: z.string(),
  confirmed: z.boolean(),
  alertId: z.string().nullable(),
  createdAt: z.string(),
  expiresAt: z.string(),
  sentAt: z.string().nullable(),
  acceptedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  publishes: z.number(),
  events: z.array(
    z.object({ at: z.string(), from: z.enum(COMMAND_STATUSES).nullable(), to: z.enum(COMMAND_STATUSES), actor: z.string(), reason: z.string().nullable() }),
  ),
});
const commandId = z.object({ id: z.string().uuid() });

export const commandsRoutes = {
  commandTypes: {
    method: "GET",
    path: "/api/v1/commands/types",
    summary: "The command types: parameters (JSON Schema), whether hazardous (needs confirm: true), who may send them, expiry bounds",
    auth: "signed-in",
    response: z.object({
      types: z.array(
        z.object({
          type: z.enum(COMMAND_TYPE_NAMES),
          title: z.string(),
          hazardous: z.boolean(),
          roles: z.array(z.enum(ROLES)),
          maySend: z.boolean().describe("whether the caller's role may send it (on its sites)"),
          params: z.record(z.string(), z.unknown()),
          completeWithinS: z.number(),
        }),
      ),
      expiryS: z.object({ min: z.number(), max: z.number(), default: z.number() }),
    }),
  },
  machineCommands: {
    method: "GET",
    path: "/api/v1/machines/{enterprise}/{site}/{area}/{line}/{machine}/commands",
    summary: "A machine's commands, newest first, with every transition",
    auth: "commands:read",
    params: machineParams,
    query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
    site: siteOfParams,
    response: z.object({ commands: z.array(commandSchema) }),
  },
  sendCommand: {
    method: "POST",
    path: "/api/v1/machines/{enterprise}/{site}/{area}/{line}/{machine}/commands",
    summary:
      "Send a command to a machine (queued; the command service sends it over MQTT). Idempotent by `id`: the same request twice is one command. Hazardous types need `confirm: true`.",
    auth: "commands:send",
    params: machineParams,
    body: z.object({
      id: z.string().uuid().optional().describe("your idempotency key; repeat the request with the same id safely"),
      type: z.enum(COMMAND_TYPE_NAMES),
      params: z.record(z.string(), z.unknown()).optional(),
      confirm: z.boolean().optional().describe("required (true) for hazardous types: stop, start, set_speed"),
      expiresInS: z.number().int().min(EXPIRY_S.min).max(EXPIRY_S.max).optional().describe(`not carried out after this; default ${EXPIRY_S.default}`),
      alertId: z.string().uuid().optional().describe("the alert this command answers"),
    }),
    site: siteOfParams,
    response: z.object({ command: commandSchema, created: z.boolean() }),
  },
  machineCommandStream: {
    method: "GET",
    path: "/api/v1/machines/{enterprise}/{site}/{area}/{line}/{machine}/commands/stream",
    summary:
      "Server-sent events for a machine's commands: `command` (the command with every transition, on each status change), `resync` (changes may have been missed: list again), `ready` (listening: no change from then on is missed), `end` (why the stream stopped); a comment every 15 s",
    auth: "commands:read",
    params: machineParams,
    site: siteOfParams,
    response: z.string().describe("text/event-stream"),
  },
  siteCommands: {
    method: "GET",
    path: "/api/v1/sites/{enterprise}/{site}/commands",
    summary: "A site's command history, newest first",
    auth: "commands:read",
    params: z.object({ enterprise: slugParam, site: slugParam }),
    query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(200) }),
    site: siteOfParams,
    response: z.object({ commands: z.array(commandSchema) }),
  },
  command: {
    method: "GET",
    path: "/api/v1/commands/{id}",
    summary: "One command with every transition (follow it until its status is final)",
    auth: "commands:read",
    params: commandId,
    response: z.object({ command: commandSchema, final: z.boolean() }),
  },
  cancelCommand: {
    method: "POST",
    path: "/api/v1/commands/{id}/cancel",
    summary: "Cancel a command that is still queued (one already sent cannot be called back)",
    auth: "commands:send",
    params: commandId,
    response: z.object({ command: commandSchema }),
  },
} as const satisfies Record<string, RouteSpec>;

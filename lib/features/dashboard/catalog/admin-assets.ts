// The asset model: machines, line calendars, shift calendars, loss mappings (admin).
import { z } from "zod";
import { ShiftSchema } from "#lib/adapters/db/plant.ts";
import { MachineSettingsSchema } from "#lib/contract/machine-settings.ts";
import { MappingDraftFields, withMappingChecks } from "#lib/domain/oee/loss-mapping-draft.ts";
import type { RouteSpec } from "#lib/features/dashboard/api.ts";
import { instant, instantBody, machinePath, ok, slugParam } from "./schemas.ts";

export const adminAssetsRoutes = {
  assets: {
    method: "GET",
    path: "/api/v1/admin/assets",
    summary: "The asset model: sites with their shift calendars, lines, machines and their settings; loss mapping versions",
    auth: "admin",
    response: z.object({
      enterprises: z.array(z.object({ slug: z.string(), name: z.string() })),
      sites: z.array(z.record(z.string(), z.unknown())),
      lossMappings: z.array(z.record(z.string(), z.unknown())),
    }),
  },
  connectActivity: {
    method: "GET",
    path: "/api/v1/admin/connect/{enterprise}/{site}/{area}/{line}/{machine}",
    summary:
      "What arrived from one machine since an instant (the 'Connect a machine' page polls it): per telemetry channel the messages stored since then and the latest's device and receive times; the dead letters of its topics since then with their reasons, and those of other topics (a mistyped topic)",
    auth: "admin",
    params: z.object({ enterprise: slugParam, site: slugParam, area: slugParam, line: slugParam, machine: slugParam }),
    query: z.object({ since: instant.describe("ISO 8601 with offset, or epoch milliseconds; at most 1 day ago") }),
    response: z.object({
      since: z.string(),
      arrived: z.array(z.object({ channel: z.string(), messages: z.number(), ts: z.string(), receivedAt: z.string() })),
      deadLetters: z.array(z.object({ receivedAt: z.string(), topic: z.string(), reason: z.string(), bytes: z.number() })),
      otherDeadLetters: z.array(z.object({ receivedAt: z.string(), topic: z.string(), reason: z.string(), bytes: z.number() })),
    }),
  },
  connectAccount: {
    method: "POST",
    path: "/api/v1/admin/connect/{enterprise}/{site}/{area}/{line}/{machine}/account",
    summary:
      "Makes (or replaces) the machine's own account on its site's factory broker (multi-site topology, password mode): only this machine's topics. The password is in this answer only (stored hashed); the brokers take the account within a minute. Audited.",
    auth: "admin",
    params: z.object({ enterprise: slugParam, site: slugParam, area: slugParam, line: slugParam, machine: slugParam }),
    response: z.object({
      username: z.string(),
      password: z.string(),
      replaced: z.boolean(),
      broker: z.object({ host: z.string(), port: z.number() }),
      effectiveWithinS: z.number(),
    }),
  },
  createMachine: {
    method: "POST",
    path: "/api/v1/admin/machines",
    summary: "Add a machine to a line (audited)",
    auth: "admin",
    body: MachineSettingsSchema.extend({
      line: z.string().regex(/^[a-z0-9_-]{1,64}(\/[a-z0-9_-]{1,64}){3}$/, "must be ENTERPRISE/SITE/AREA/LINE"),
      slug: slugParam,
    }),
    response: z.object({ id: z.string() }),
  },
  updateMachine: {
    method: "POST",
    path: "/api/v1/admin/machines/{id}",
    summary: "Change a machine's settings (only the fields given; audited with before and after)",
    auth: "admin",
    params: z.object({ id: z.string().uuid() }),
    body: MachineSettingsSchema.partial(),
    response: z.object({ key: z.string(), changed: z.array(z.string()) }),
  },
  setLineCalendar: {
    method: "POST",
    path: "/api/v1/admin/lines/{id}/calendar",
    summary: "Give a line one of its site's shift calendars (null: planned around the clock)",
    auth: "admin",
    params: z.object({ id: z.string().uuid() }),
    body: z.object({ calendarId: z.string().uuid().nullable() }),
    response: ok,
  },
  setCalendarShifts: {
    method: "POST",
    path: "/api/v1/admin/calendars/{id}/shifts",
    summary: "Replace a shift calendar's shifts and breaks (times are the site's local time; audited; OEE already computed is not recomputed)",
    auth: "admin",
    params: z.object({ id: z.string().uuid() }),
    body: z.object({ shifts: z.array(ShiftSchema).max(20) }),
    response: ok,
  },
  lossMappings: {
    method: "GET",
    path: "/api/v1/admin/loss-mappings",
    summary:
      "Every loss mapping of every enterprise: all versions (newest first) with their rules, the diff to the version before, the default, and which version each machine uses",
    auth: "admin",
    response: z.object({ recomputeMaxDays: z.number(), enterprises: z.array(z.record(z.string(), z.unknown())) }),
  },
  createLossMappingVersion: {
    method: "POST",
    path: "/api/v1/admin/loss-mappings",
    summary:
      "Save a new version (latest + 1) of a loss mapping, made from the latest one, or (basedOnVersion 0) a new mapping at v1; optionally the enterprise default, assigned to machines, and OEE recomputed from a date (else it applies to buckets computed from now on). Audited with the diff.",
    auth: "admin",
    body: withMappingChecks(
      MappingDraftFields.extend({
        enterprise: slugParam,
        name: z
          .string()
          .regex(/^[A-Za-z0-9]([A-Za-z0-9 _.-]{0,62}[A-Za-z0-9_.-])?$/, "letters, digits, space, '.', '-' and '_' (at most 64; no space at either end)")
          .describe("the mapping; versions are labelled name@vN"),
        basedOnVersion: z
          .number()
          .int()
          .min(0)
          .describe("the latest version when you started editing (409 if another was saved since); 0: a new mapping of this name, v1 (409 if the name exists)"),
        makeDefault: z.boolean().default(false).describe("machines without a mapping of their own follow the enterprise default"),
        machines: z.array(machinePath).max(5000).default([]).describe("machines that use the new version from now on (others keep theirs)"),
        recomputeFrom: instantBody.optional().describe("recompute OEE of the enterprise's buckets from this instant to now (at most 30 days back)"),
      }),
    ),
    response: z.object({
      id: z.string(),
      label: z.string(),
      recompute: z.object({ from: z.string(), to: z.string(), jobs: z.number(), error: z.string().optional() }).nullable(),
    }),
  },
  setMachineLossMapping: {
    method: "POST",
    path: "/api/v1/admin/machines/{id}/loss-mapping",
    summary: "Give a machine a loss-mapping version of its enterprise (null: follow the enterprise default); audited; OEE already computed is not recomputed",
    auth: "admin",
    params: z.object({ id: z.string().uuid() }),
    body: z.object({ lossMappingId: z.string().uuid().nullable() }),
    response: z.object({ key: z.string(), from: z.string(), to: z.string() }),
  },
} as const satisfies Record<string, RouteSpec>;

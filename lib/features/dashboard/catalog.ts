// Every /api/v1 endpoint: method, path, who may call it, and the zod schemas of its input and
// output. Route handlers are built from these entries (lib/features/dashboard/api.ts), the OpenAPI document is
// generated from them (lib/features/dashboard/openapi.ts), and the access-control suite enumerates them.

import { z } from "zod";
import { ShiftSchema } from "#lib/adapters/db/plant.ts";
import { NewArea, NewLine, NewSite, Rename } from "#lib/contract/asset-structure.ts";
import { COMMAND_TYPE_NAMES, EXPIRY_S } from "#lib/contract/commands.ts";
import { MachineSettingsSchema } from "#lib/contract/machine-settings.ts";
import { ROLES, TOKEN_DAYS, TOKEN_SCOPES } from "#lib/domain/auth/policy.ts";
import { COMMAND_STATUSES } from "#lib/domain/commands/lifecycle.ts";
import { MappingDraftFields, withMappingChecks } from "#lib/domain/oee/loss-mapping-draft.ts";
import type { RouteSpec } from "./api.ts";

const instant = z
  .union([z.string().datetime({ offset: true }), z.string().regex(/^\d+$/, "epoch milliseconds")])
  .transform((v) => (/^\d+$/.test(v) ? Number(v) : Date.parse(v)));
const instantBody = z.union([z.string().datetime({ offset: true }), z.number().int()]).transform((v) => (typeof v === "number" ? v : Date.parse(v)));
const machinePath = z
  .string()
  .regex(/^[a-z0-9_-]{1,64}(\/[a-z0-9_-]{1,64}){4}$/, "must be ENTERPRISE/SITE/AREA/LINE/MACHINE")
  .describe("the machine's path, e.g. acme/dresden/machining/line-1/cnc-01");
const slugParam = z.string().regex(/^[a-z0-9_-]{1,64}$/, "must be 1-64 of a-z 0-9 _ -");
const siteOfPath = (p: string) => p.split("/").slice(0, 2).join("/");

const principal = z.object({ username: z.string(), displayName: z.string(), role: z.enum(ROLES), sites: z.union([z.literal("all"), z.array(z.string())]) });
const kpis = z.object({
  availability: z.number().nullable(),
  performance: z.number().nullable(),
  quality: z.number().nullable(),
  oee: z.number().nullable(),
  technicalEfficiency: z.number().nullable(),
  setupRatio: z.number().nullable(),
  scrapRatio: z.number().nullable(),
  throughputPerHour: z.number().nullable(),
  mtbfS: z.number().nullable(),
  mttrS: z.number().nullable(),
});
const elements = z.record(z.string(), z.number()).describe("ISO 22400 time elements (s) and counts, docs/oee.md");
const ok = z.object({ ok: z.literal(true) });

export const alertSchema = z.object({
  id: z.string(),
  machineKey: z.string(),
  siteKey: z.string(),
  cause: z.string(),
  feature: z.string(),
  severity: z.enum(["WARNING", "CRITICAL"]),
  status: z.enum(["OPEN", "ACKNOWLEDGED", "RESOLVED", "CLEARED"]),
  value: z.number(),
  baseline: z.number().nullable(),
  zone: z.string().nullable(),
  explanation: z.string(),
  suggestedAction: z.string(),
  detectorVersion: z.string(),
  onsetAt: z.string(),
  lastSeenAt: z.string(),
  flaps: z.number(),
  acknowledgedBy: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
  assignee: z.string().nullable(),
  resolvedBy: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  resolveNote: z.string().nullable(),
  clearedAt: z.string().nullable(),
});
const alertId = z.object({ id: z.string().uuid() });
const machineParams = z.object({ enterprise: slugParam, site: slugParam, area: slugParam, line: slugParam, machine: slugParam });
const siteOfParams = ({ params }: { params: unknown }) => {
  const p = params as { enterprise: string; site: string };
  return `${p.enterprise}/${p.site}`;
};

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
const machineSettings = MachineSettingsSchema;

export const errorSchema = z.object({
  error: z.object({
    code: z.enum(["unauthenticated", "forbidden", "invalid", "not_found", "conflict", "rate_limited", "internal"]),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});

export const catalog = {
  login: {
    method: "POST",
    path: "/api/v1/auth/login",
    summary: "Sign in; sets the httpOnly session cookie",
    auth: "public",
    body: z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(256) }),
    response: z.object({ user: principal }),
  },
  logout: { method: "POST", path: "/api/v1/auth/logout", summary: "Sign out; ends the session", auth: "signed-in", response: ok },
  me: { method: "GET", path: "/api/v1/me", summary: "Who is signed in", auth: "signed-in", response: z.object({ user: principal }) },
  sites: {
    method: "GET",
    path: "/api/v1/sites",
    summary: "The sites the caller may see, with their lines and machines",
    auth: "oee:read",
    response: z.object({
      sites: z.array(
        z.object({
          key: z.string(),
          name: z.string(),
          timeZone: z.string(),
          lines: z.array(
            z.object({ key: z.string(), name: z.string(), machines: z.array(z.object({ key: z.string(), name: z.string(), idealCycleTimeS: z.number() })) }),
          ),
        }),
      ),
    }),
  },
  siteOee: {
    method: "GET",
    path: "/api/v1/oee/sites",
    summary:
      "OEE of each site the caller may see (or of one), per bucket and summed over [from, to); format=csv for a spreadsheet. The bounds are applied rounded up to the whole minute (buckets start on whole minutes, so the figures are the same) and echoed as applied",
    auth: "oee:read",
    query: z.object({
      granularity: z.enum(["minute", "hour", "shift", "day"]).default("day"),
      from: instant,
      to: instant,
      site: z
        .string()
        .regex(/^[a-z0-9_-]{1,64}\/[a-z0-9_-]{1,64}$/, "must be ENTERPRISE/SITE")
        .optional(),
      last: z.coerce.number().int().min(1).max(1000).optional().describe("only each site's last N buckets in the range (e.g. its last 7 local days)"),
      days: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}$/, "must be YYYY-MM-DD..YYYY-MM-DD")
        .optional()
        .describe("only buckets whose label (a site-local date for days, a date and shift name for shifts) is within these local dates"),
      format: z.enum(["json", "csv"]).default("json"),
    }),
    site: ({ query }) => (query as { site?: string }).site,
    response: z.object({
      from: z.string(),
      to: z.string(),
      granularity: z.string(),
      sites: z.array(
        z.object({
          key: z.string(),
          name: z.string(),
          timeZone: z.string(),
          totals: z.object({ elements, kpis, losses: z.record(z.string(), z.number()), mappingVersions: z.array(z.string()) }),
          series: z.array(z.object({ ts: z.string(), end: z.string(), label: z.string(), elements, kpis, flags: z.array(z.string()) })),
        }),
      ),
    }),
  },
  plantShift: {
    method: "GET",
    path: "/api/v1/sites/{enterprise}/{site}/shift",
    summary: "The site's current (or last) shift: each machine's state now and OEE so far, lines, six big losses, top downtime reasons, state timelines",
    auth: "oee:read",
    params: z.object({ enterprise: z.string().regex(/^[a-z0-9_-]{1,64}$/), site: z.string().regex(/^[a-z0-9_-]{1,64}$/) }),
    site: ({ params }) => {
      const p = params as { enterprise: string; site: string };
      return `${p.enterprise}/${p.site}`;
    },
    response: z.object({
      site: z.object({ key: z.string(), name: z.string(), timeZone: z.string() }),
      shift: z.object({ label: z.string(), start: z.number(), end: z.number(), current: z.boolean() }),
      now: z.number(),
      lines: z.array(z.object({ key: z.string(), name: z.string(), kpis, elements })),
      machines: z.array(
        z.object({
          key: z.string(),
          name: z.string(),
          line: z.string(),
          state: z.string().nullable(),
          since: z.number().nullable(),
          loss: z.string().nullable(),
          kpis,
          elements,
          timeline: z.array(z.object({ start: z.number(), end: z.number(), state: z.string(), reason: z.string().optional(), loss: z.string() })),
        }),
      ),
      losses: z.array(z.object({ name: z.string(), seconds: z.number() })),
      reasons: z.array(z.object({ reason: z.string(), seconds: z.number(), stops: z.number() })),
      knownReasons: z.array(z.string()),
    }),
  },
  machine: {
    method: "GET",
    path: "/api/v1/machines/{enterprise}/{site}/{area}/{line}/{machine}",
    summary: "One machine: OEE per closed hour, counts and rejects, vibration features with its ISO 10816-3 zone limits, state timeline",
    auth: "oee:read",
    params: z.object({ enterprise: slugParam, site: slugParam, area: slugParam, line: slugParam, machine: slugParam }),
    query: z.object({
      hours: z.coerce
        .number()
        .int()
        .min(1)
        .max(24 * 31)
        .default(24),
    }),
    site: ({ params }) => {
      const p = params as { enterprise: string; site: string };
      return `${p.enterprise}/${p.site}`;
    },
    response: z.object({
      machine: z.object({
        key: z.string(),
        name: z.string(),
        site: z.string(),
        line: z.string(),
        timeZone: z.string(),
        idealCycleTimeS: z.number(),
        vibrationGroup: z.string(),
        foundation: z.string(),
        zoneLimits: z.array(z.number()),
      }),
      from: z.number(),
      to: z.number(),
      state: z.object({ name: z.string(), since: z.number() }).nullable(),
      hours: z.array(z.object({ ts: z.number(), kpis, total: z.number(), good: z.number(), reject: z.number(), plannedBusyS: z.number() })),
      vibration: z.array(
        z.object({
          ts: z.number(),
          velocity: z.number(),
          velocityMax: z.number(),
          accelRms: z.number().nullable(),
          crest: z.number().nullable(),
          kurtosis: z.number().nullable(),
          temperature: z.number().nullable(),
        }),
      ),
      zone: z.object({ now: z.enum(["A", "B", "C", "D"]), velocity: z.number(), at: z.number() }).nullable(),
      timeline: z.array(z.object({ start: z.number(), end: z.number(), state: z.string(), reason: z.string().optional(), loss: z.string() })),
      anomalies: z.array(z.object({ ts: z.number(), severity: z.string(), cause: z.string(), status: z.string() })).describe("onsets of alerts in the window"),
      alerts: z.array(
        z.object({
          id: z.string(),
          cause: z.string(),
          severity: z.string(),
          status: z.string(),
          explanation: z.string(),
          suggestedAction: z.string(),
          onsetAt: z.string(),
        }),
      ),
    }),
  },
  assignReason: {
    method: "POST",
    path: "/api/v1/reasons",
    summary: "Give [start, end) of a machine's stop a downtime reason (audited; OEE is recomputed)",
    auth: "reasons:write",
    body: z.object({ machine: machinePath, start: instantBody, end: instantBody, reason: z.string().min(1).max(100), note: z.string().max(500).optional() }),
    site: ({ body }) => siteOfPath((body as { machine: string }).machine),
    response: z.object({ id: z.string() }),
  },
  splitStop: {
    method: "POST",
    path: "/api/v1/reasons/split",
    summary: "Split [start, end) of a machine's stop at `at`, with a reason for each part (audited; OEE is recomputed)",
    auth: "reasons:write",
    body: z.object({
      machine: machinePath,
      start: instantBody,
      end: instantBody,
      at: instantBody,
      reasons: z.tuple([z.string().min(1).max(100), z.string().min(1).max(100)]),
      note: z.string().max(500).optional(),
    }),
    site: ({ body }) => siteOfPath((body as { machine: string }).machine),
    response: z.object({ ids: z.array(z.string()) }),
  },
  alerts: {
    method: "GET",
    path: "/api/v1/alerts",
    summary: "Maintenance alerts of the sites the caller may see, newest first; open counts for the badge",
    auth: "alerts:read",
    query: z.object({
      site: z
        .string()
        .regex(/^[a-z0-9_-]{1,64}\/[a-z0-9_-]{1,64}$/)
        .optional(),
      status: z
        .string()
        .regex(/^(OPEN|ACKNOWLEDGED|RESOLVED|CLEARED)(,(OPEN|ACKNOWLEDGED|RESOLVED|CLEARED))*$/, "comma-separated statuses")
        .optional(),
      severity: z.enum(["WARNING", "CRITICAL"]).optional(),
    }),
    site: ({ query }) => (query as { site?: string }).site,
    response: z.object({ alerts: z.array(alertSchema), open: z.number() }),
  },
  alertStream: {
    method: "GET",
    path: "/api/v1/alerts/stream",
    summary: "Server-sent events: every change of an alert of the caller's sites (event `alert`, data = the MQTT alert message), a comment every 15 s",
    auth: "alerts:read",
    response: z.string().describe("text/event-stream"),
  },
  acknowledgeAlert: {
    method: "POST",
    path: "/api/v1/alerts/{id}/acknowledge",
    summary: "Acknowledge an open alert (recorded with your name)",
    auth: "alerts:write",
    params: alertId,
    response: z.object({ alert: alertSchema }),
  },
  assignAlert: {
    method: "POST",
    path: "/api/v1/alerts/{id}/assign",
    summary: "Assign an active alert to a person",
    auth: "alerts:write",
    params: alertId,
    body: z.object({ assignee: z.string().trim().min(1).max(100) }),
    response: z.object({ alert: alertSchema }),
  },
  resolveAlert: {
    method: "POST",
    path: "/api/v1/alerts/{id}/resolve",
    summary: "Resolve an alert with a note of what was found and done",
    auth: "alerts:write",
    params: alertId,
    body: z.object({ note: z.string().trim().min(1, "say what was found and done").max(2000) }),
    response: z.object({ alert: alertSchema }),
  },
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
  users: {
    method: "GET",
    path: "/api/v1/admin/users",
    summary: "Every user with role, sites and whether disabled",
    auth: "admin",
    response: z.object({
      users: z.array(
        z.object({
          username: z.string(),
          displayName: z.string(),
          role: z.enum(ROLES),
          sites: z.array(z.string()),
          createdAt: z.string(),
          disabled: z.boolean(),
        }),
      ),
    }),
  },
  createUser: {
    method: "POST",
    path: "/api/v1/admin/users",
    summary: "Create a user; the generated password is in the answer, once",
    auth: "admin",
    body: z.object({
      username: z.string().regex(/^[a-z0-9._-]{2,64}$/, "must be 2-64 of a-z 0-9 . _ -"),
      displayName: z.string().trim().min(1).max(100),
      role: z.enum(ROLES),
      sites: z
        .array(z.string().regex(/^[a-z0-9_-]{1,64}\/[a-z0-9_-]{1,64}$/, "must be ENTERPRISE/SITE"))
        .max(500)
        .default([]),
    }),
    response: z.object({ username: z.string(), password: z.string() }),
  },
  disableUser: {
    method: "POST",
    path: "/api/v1/admin/users/{username}/disable",
    summary: "Disable a user and end their sessions",
    auth: "admin",
    params: z.object({ username: z.string().regex(/^[a-z0-9._-]{2,64}$/) }),
    response: ok,
  },
  resetPassword: {
    method: "POST",
    path: "/api/v1/admin/users/{username}/password",
    summary: "Give a user a new generated password (in the answer, once) and end their sessions",
    auth: "admin",
    params: z.object({ username: z.string().regex(/^[a-z0-9._-]{2,64}$/) }),
    response: z.object({ username: z.string(), password: z.string() }),
  },
  tokens: {
    method: "GET",
    path: "/api/v1/admin/tokens",
    summary: "API tokens (names, roles, sites, revoked or not; never the tokens)",
    auth: "admin",
    response: z.object({
      tokens: z.array(
        z.object({
          name: z.string(),
          role: z.enum(ROLES),
          sites: z.array(z.string()),
          createdBy: z.string(),
          createdAt: z.string(),
          revokedAt: z.string().nullable(),
          scope: z.enum(TOKEN_SCOPES),
          expiresAt: z.string().nullable(),
        }),
      ),
    }),
  },
  createToken: {
    method: "POST",
    path: "/api/v1/admin/tokens",
    summary:
      "Create an API token for an MES, ERP or BI system; the token is in the answer, once. READ_ONLY (default) may only GET; READ_WRITE may also send commands, edit reasons, handle alerts as its role allows. Expires after expiresInDays (default 90, at most 730)",
    auth: "admin",
    body: z.object({
      name: z.string().regex(/^[a-z0-9._-]{2,64}$/, "must be 2-64 of a-z 0-9 . _ -"),
      role: z.enum(ROLES),
      sites: z
        .array(z.string().regex(/^[a-z0-9_-]{1,64}\/[a-z0-9_-]{1,64}$/, "must be ENTERPRISE/SITE"))
        .max(500)
        .default([]),
      scope: z.enum(TOKEN_SCOPES).default("READ_ONLY"),
      expiresInDays: z.number().int().min(TOKEN_DAYS.min).max(TOKEN_DAYS.max).default(TOKEN_DAYS.default),
    }),
    response: z.object({ name: z.string(), token: z.string(), expiresAt: z.string() }),
  },
  revokeToken: {
    method: "POST",
    path: "/api/v1/admin/tokens/{name}/revoke",
    summary: "Revoke an API token (at once: its next request is refused)",
    auth: "admin",
    params: z.object({ name: z.string().regex(/^[a-z0-9._-]{2,64}$/) }),
    response: ok,
  },
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
  createMachine: {
    method: "POST",
    path: "/api/v1/admin/machines",
    summary: "Add a machine to a line (audited)",
    auth: "admin",
    body: machineSettings.extend({
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
    body: machineSettings.partial(),
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
  createSite: {
    method: "POST",
    path: "/api/v1/admin/sites",
    summary: "Add a site to an enterprise (slug = MQTT topic level, permanent; IANA time zone); audited",
    auth: "admin",
    body: NewSite,
    response: z.object({ id: z.string(), key: z.string() }),
  },
  renameSite: {
    method: "POST",
    path: "/api/v1/admin/sites/{id}",
    summary: "Rename a site (its slug stays); audited",
    auth: "admin",
    params: z.object({ id: z.string().uuid() }),
    body: Rename,
    response: z.object({ key: z.string() }),
  },
  createArea: {
    method: "POST",
    path: "/api/v1/admin/areas",
    summary: "Add an area to a site; audited",
    auth: "admin",
    body: NewArea,
    response: z.object({ id: z.string(), key: z.string() }),
  },
  renameArea: {
    method: "POST",
    path: "/api/v1/admin/areas/{id}",
    summary: "Rename an area (its slug stays); audited",
    auth: "admin",
    params: z.object({ id: z.string().uuid() }),
    body: Rename,
    response: z.object({ key: z.string() }),
  },
  createLine: {
    method: "POST",
    path: "/api/v1/admin/lines",
    summary: "Add a line to an area, optionally with one of the site's shift calendars; audited",
    auth: "admin",
    body: NewLine,
    response: z.object({ id: z.string(), key: z.string() }),
  },
  renameLine: {
    method: "POST",
    path: "/api/v1/admin/lines/{id}",
    summary: "Rename a line (its slug stays); audited",
    auth: "admin",
    params: z.object({ id: z.string().uuid() }),
    body: Rename,
    response: z.object({ key: z.string() }),
  },
  removeSite: {
    method: "POST",
    path: "/api/v1/admin/sites/{id}/remove",
    summary:
      "Remove a site without areas (its calendars go with it; taken out of users' and tokens' site lists), e.g. one created by mistake; 409 when it is not empty; audited",
    auth: "admin",
    params: z.object({ id: z.string().uuid() }),
    response: z.object({ key: z.string() }),
  },
  removeArea: {
    method: "POST",
    path: "/api/v1/admin/areas/{id}/remove",
    summary: "Remove an area without lines, e.g. one created by mistake; 409 when it is not empty; audited",
    auth: "admin",
    params: z.object({ id: z.string().uuid() }),
    response: z.object({ key: z.string() }),
  },
  removeLine: {
    method: "POST",
    path: "/api/v1/admin/lines/{id}/remove",
    summary: "Remove a line without machines, e.g. one created by mistake; 409 when it is not empty; audited",
    auth: "admin",
    params: z.object({ id: z.string().uuid() }),
    response: z.object({ key: z.string() }),
  },
  audit: {
    method: "GET",
    path: "/api/v1/admin/audit",
    summary: "The latest audit log entries (who, from where, what, when, result); format=csv to export",
    auth: "admin",
    query: z.object({ limit: z.coerce.number().int().min(1).max(10_000).default(200), format: z.enum(["json", "csv"]).default("json") }),
    response: z.object({
      entries: z.array(
        z.object({
          at: z.string(),
          actor: z.string(),
          origin: z.string().nullable(),
          action: z.string(),
          subject: z.string(),
          site: z.string().nullable(),
          result: z.string(),
          details: z.unknown(),
        }),
      ),
    }),
  },
  ingestStatus: {
    method: "GET",
    path: "/api/v1/ingest/status",
    summary: "Live ingest: every machine's latest state, message rates, recent dead letters",
    auth: "ingest:read",
    response: z.object({
      generatedAt: z.string(),
      sites: z.array(z.unknown()),
      rate: z.array(z.unknown()),
      deadLetters: z.unknown(),
      questdb: z.string(),
      processes: z.object({ supervised: z.boolean(), degraded: z.boolean(), processes: z.array(z.unknown()) }),
    }),
  },
  openapi: {
    method: "GET",
    path: "/api/v1/openapi.json",
    summary: "This API as an OpenAPI 3.1 document",
    auth: "public",
    response: z.record(z.string(), z.unknown()),
  },
} as const satisfies Record<string, RouteSpec>;

export type CatalogEntry = (typeof catalog)[keyof typeof catalog];

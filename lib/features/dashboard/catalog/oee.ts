// The OEE reads: the sites, their figures, the plant board of a shift, one machine.
import { z } from "zod";
import type { RouteSpec } from "#lib/features/dashboard/api.ts";
import { elements, instant, kpis, siteOfParams, slugParam } from "./schemas.ts";

const reportPeriod = z.object({
  kind: z.enum(["shift", "day"]),
  id: z.string(),
  label: z.string(),
  start: z.number(),
  end: z.number(),
  complete: z.boolean(),
});

export const oeeRoutes = {
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
      fields: z
        .enum(["elements"])
        .optional()
        .describe(
          "`elements`: every bucket also carries its ISO 22400 time elements and counts (`series[].elements`; the totals always do). Without it a bucket has its KPIs only, a sixth of the size",
        ),
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
          series: z.array(
            z.object({
              ts: z.string(),
              end: z.string(),
              label: z.string(),
              elements: elements.optional().describe("only with fields=elements"),
              kpis,
              flags: z.array(z.string()),
            }),
          ),
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
    query: z.object({
      timeline: z
        .enum(["arrays", "objects"])
        .default("arrays")
        .describe(
          "`arrays` (default): each timeline segment is [start, end, state, loss] or [start, end, state, loss, reason]; `objects`: {start, end, state, reason?, loss} (larger)",
        ),
    }),
    site: siteOfParams,
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
          timeline: z.union([
            z
              .array(
                z.union([z.tuple([z.number(), z.number(), z.string(), z.string()]), z.tuple([z.number(), z.number(), z.string(), z.string(), z.string()])]),
              )
              .describe("timeline=arrays: [start, end, state, loss(, reason)]"),
            z
              .array(z.object({ start: z.number(), end: z.number(), state: z.string(), reason: z.string().optional(), loss: z.string() }))
              .describe("timeline=objects"),
          ]),
        }),
      ),
      losses: z.array(z.object({ name: z.string(), seconds: z.number() })),
      reasons: z.array(z.object({ reason: z.string(), seconds: z.number(), stops: z.number() })),
      knownReasons: z.array(z.string()),
    }),
  },
  shiftReport: {
    method: "GET",
    path: "/api/v1/sites/{enterprise}/{site}/report",
    summary:
      "The shift report of one shift (shift = its start instant) or local day (day = YYYY-MM-DD) of the last 7 days, by default the last complete shift: OEE and its factors for the site, each line and machine, the six big losses, the top downtime reasons, micro-stops, the alerts opened and closed and the commands sent in it (null where the caller may not read alerts or commands); the periods to choose from. The same figures as the plant board (its closed minute buckets); the printable page is /sites/{enterprise}/{site}/report",
    auth: "oee:read",
    params: z.object({ enterprise: slugParam, site: slugParam }),
    query: z
      .object({
        shift: z.iso.datetime({ offset: true }).optional().describe("the start instant of the shift, as in `periods[].id`"),
        day: z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}$/, "must be YYYY-MM-DD")
          .optional()
          .describe("the site-local date"),
      })
      .refine((q) => !(q.shift && q.day), "give shift or day, not both"),
    site: siteOfParams,
    response: z.object({
      site: z.object({ key: z.string(), name: z.string(), timeZone: z.string() }),
      period: reportPeriod,
      periods: z.array(reportPeriod),
      generatedAt: z.number(),
      totals: z.object({ kpis, elements }),
      lines: z.array(z.object({ key: z.string(), name: z.string(), kpis, elements })),
      machines: z.array(z.object({ key: z.string(), name: z.string(), line: z.string(), kpis, elements, stops: z.number(), microStops: z.number() })),
      losses: z.array(z.object({ name: z.string(), seconds: z.number() })),
      reasons: z.array(z.object({ reason: z.string(), seconds: z.number(), stops: z.number() })),
      microStops: z.object({ count: z.number(), seconds: z.number() }),
      alerts: z
        .object({
          opened: z.number(),
          closed: z.number(),
          list: z.array(
            z.object({
              id: z.string(),
              machineKey: z.string(),
              cause: z.string(),
              severity: z.string(),
              status: z.string(),
              explanation: z.string(),
              onsetAt: z.string(),
              clearedAt: z.string().nullable(),
              resolvedAt: z.string().nullable(),
              resolvedBy: z.string().nullable(),
              opened: z.boolean(),
              closed: z.boolean(),
            }),
          ),
        })
        .nullable(),
      commands: z
        .object({
          total: z.number(),
          byStatus: z.record(z.string(), z.number()),
          list: z.array(
            z.object({
              id: z.string(),
              machineKey: z.string(),
              type: z.string(),
              status: z.string(),
              reason: z.string().nullable(),
              requestedBy: z.string(),
              createdAt: z.string(),
              finishedAt: z.string().nullable(),
            }),
          ),
        })
        .nullable(),
    }),
  },
  plantStream: {
    method: "GET",
    path: "/api/v1/sites/{enterprise}/{site}/stream",
    summary:
      "Server-sent events for the site's board: `state` (a machine's new state as it arrives over MQTT: machine, state, since, loss, reason), `view` (every 5 s, the board as GET .../shift answers it), `ready` (the server's subscription is in place: nothing published from then on is missed), `end` (why the stream stopped: signed out, revoked, site taken away); a comment every 15 s",
    auth: "oee:read",
    params: z.object({ enterprise: slugParam, site: slugParam }),
    site: siteOfParams,
    response: z.string().describe("text/event-stream"),
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
    site: siteOfParams,
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
      forecast: z
        .discriminatedUnion("kind", [
          z.object({
            kind: z.literal("trend"),
            zone: z.enum(["C", "D"]),
            boundary: z.number(),
            eta: z.number(),
            etaLow: z.number(),
            etaHigh: z.number().nullable().describe("null: the interval has no upper end"),
            growthPerHour: z.number(),
            windowMs: z.number(),
            points: z.array(z.object({ ts: z.number(), v: z.number() })),
            fitted: z.array(z.object({ ts: z.number(), v: z.number() })),
          }),
          z.object({ kind: z.literal("none"), reason: z.string() }),
        ])
        .describe("remaining useful life: when the running velocity crosses the next ISO 10816-3 boundary, with a 90 % interval"),
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
} as const satisfies Record<string, RouteSpec>;

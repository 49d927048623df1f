// The audit log, live ingest, and this API's own document.
import { z } from "zod";
import type { RouteSpec } from "#lib/features/dashboard/api.ts";

export const systemRoutes = {
  audit: {
    method: "GET",
    path: "/api/v1/admin/audit",
    summary:
      "The latest audit log entries (who, from where, what, when, result), newest first; filtered by actor, action prefix (e.g. command.), site slug or subject text; format=csv to export",
    auth: "admin",
    query: z.object({
      limit: z.coerce.number().int().min(1).max(10_000).default(200),
      format: z.enum(["json", "csv"]).default("json"),
      actor: z.string().max(200).optional(),
      action: z.string().max(200).optional(),
      site: z.string().max(200).optional(),
      subject: z.string().max(500).optional(),
    }),
    response: z.object({
      entries: z.array(
        z.object({
          id: z.string(),
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
    summary: "Live ingest: every machine's latest state, message rates, recent dead letters, how far the OEE roll-up got",
    auth: "ingest:read",
    response: z.object({
      generatedAt: z.string(),
      sites: z.array(z.unknown()),
      rate: z.array(z.unknown()),
      deadLetters: z.unknown(),
      questdb: z.string(),
      oeeRollup: z.array(z.object({ granularity: z.string(), computedUntil: z.string(), behindS: z.number() })),
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

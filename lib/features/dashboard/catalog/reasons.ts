// Downtime reasons given after the fact.
import { z } from "zod";
import type { RouteSpec } from "#lib/features/dashboard/api.ts";
import { instantBody, machinePath, siteOfMachinePath } from "./schemas.ts";

export const reasonsRoutes = {
  assignReason: {
    method: "POST",
    path: "/api/v1/reasons",
    summary: "Give [start, end) of a machine's stop a downtime reason (audited; OEE is recomputed)",
    auth: "reasons:write",
    body: z.object({ machine: machinePath, start: instantBody, end: instantBody, reason: z.string().min(1).max(100), note: z.string().max(500).optional() }),
    site: ({ body }) => siteOfMachinePath((body as { machine: string }).machine),
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
    site: ({ body }) => siteOfMachinePath((body as { machine: string }).machine),
    response: z.object({ ids: z.array(z.string()) }),
  },
} as const satisfies Record<string, RouteSpec>;

// Maintenance alerts.
import { z } from "zod";
import type { RouteSpec } from "#lib/features/dashboard/api.ts";

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

export const alertsRoutes = {
  alerts: {
    method: "GET",
    path: "/api/v1/alerts",
    summary:
      "Maintenance alerts of the sites the caller may see, newest first (at most 200); `open`: the open alerts of all the caller's sites (the badge); `byStatus`: how many match the site and severity filters in each status",
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
    response: z.object({
      alerts: z.array(alertSchema),
      open: z.number(),
      byStatus: z.object({ OPEN: z.number(), ACKNOWLEDGED: z.number(), RESOLVED: z.number(), CLEARED: z.number() }),
    }),
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
} as const satisfies Record<string, RouteSpec>;

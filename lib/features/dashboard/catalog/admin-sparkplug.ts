// Where Sparkplug B metrics go (admin): group / edge node / device / metric -> machine, channel, field
// (docs/mqtt.md, Sparkplug B host application).
import { z } from "zod";
import { VIBRATION_FEATURES } from "#lib/contract/payloads.ts";
import type { RouteSpec } from "#lib/features/dashboard/api.ts";
import { machinePath, ok } from "./schemas.ts";

const spId = z.string().regex(/^[^/+#]{1,128}$/, "a Sparkplug id: 1-128 characters, no / + #");
const key = {
  group: spId,
  edgeNode: spId,
  device: z
    .union([spId, z.literal("")])
    .default("")
    .describe('the device id; "" for a metric of the edge node itself'),
  metric: z.string().min(1).max(500).describe("the metric's name as in the birth certificate"),
};
const mapping = z.object({
  ...key,
  machine: machinePath,
  channel: z.enum(["state", "counts", "vibration", "metrics", "command"]),
  field: z
    .string()
    .max(100)
    .default("")
    .describe(
      `state: ""; counts: total or reject; vibration: one of ${VIBRATION_FEATURES.join(", ")}; metrics: the Andon metric name; command: the Andon command type written to this metric by a DCMD`,
    ),
});

export const adminSparkplugRoutes = {
  sparkplugMappings: {
    method: "GET",
    path: "/api/v1/admin/sparkplug-mappings",
    summary: "Every Sparkplug B metric mapping (group / edge node / device / metric -> machine, channel, field)",
    auth: "admin",
    response: z.object({ mappings: z.array(mapping.extend({ updatedBy: z.string(), updatedAt: z.string() })) }),
  },
  setSparkplugMapping: {
    method: "POST",
    path: "/api/v1/admin/sparkplug-mappings",
    summary: "Map one Sparkplug B metric to a machine's channel (replaces its mapping; audited). The ingest worker takes it within INGEST_ASSET_REFRESH_S",
    auth: "admin",
    body: mapping,
    response: ok,
  },
  removeSparkplugMapping: {
    method: "POST",
    path: "/api/v1/admin/sparkplug-mappings/remove",
    summary: "Remove one Sparkplug B metric's mapping (its values are dead-lettered as unmapped from then on; audited)",
    auth: "admin",
    body: z.object(key),
    response: ok,
  },
} as const satisfies Record<string, RouteSpec>;

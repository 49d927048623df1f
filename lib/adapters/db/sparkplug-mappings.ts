// The admins' Sparkplug B mapping (group / edge node / device / metric -> machine, channel, field) in PostgreSQL.
import type { PrismaClient } from "./client.ts";

export interface SparkplugMappingRow {
  group: string;
  edgeNode: string;
  device: string;
  metric: string;
  machine: string;
  channel: string;
  field: string;
}

export async function loadSparkplugMappings(prisma: PrismaClient): Promise<SparkplugMappingRow[]> {
  const rows = await prisma.sparkplugMapping.findMany({ orderBy: [{ group: "asc" }, { edgeNode: "asc" }, { device: "asc" }, { metric: "asc" }] });
  return rows.map(({ group, edgeNode, device, metric, machineKey, channel, field }) => ({
    group,
    edgeNode,
    device,
    metric,
    machine: machineKey,
    channel,
    field,
  }));
}

/** Every mapping with who changed it last and when (the admin API). */
export async function listSparkplugMappings(prisma: PrismaClient): Promise<(SparkplugMappingRow & { updatedBy: string; updatedAt: string })[]> {
  const rows = await prisma.sparkplugMapping.findMany({ orderBy: [{ group: "asc" }, { edgeNode: "asc" }, { device: "asc" }, { metric: "asc" }] });
  return rows.map(({ machineKey, updatedAt, ...r }) => ({ ...r, machine: machineKey, updatedAt: updatedAt.toISOString() }));
}

/** Sets (inserts or replaces) one metric's mapping. */
export async function putSparkplugMapping(prisma: PrismaClient, m: SparkplugMappingRow, by: string): Promise<void> {
  const data = { machineKey: m.machine, channel: m.channel, field: m.field, updatedBy: by };
  await prisma.sparkplugMapping.upsert({
    where: { group_edgeNode_device_metric: { group: m.group, edgeNode: m.edgeNode, device: m.device, metric: m.metric } },
    create: { group: m.group, edgeNode: m.edgeNode, device: m.device, metric: m.metric, ...data },
    update: data,
  });
}

/** The Sparkplug metric a command of this type is written to for this machine (channel "command"), if any. */
export async function sparkplugCommandTarget(prisma: PrismaClient, machine: string, type: string) {
  const m = await prisma.sparkplugMapping.findFirst({ where: { machineKey: machine, channel: "command", field: type } });
  return m ? { group: m.group, edgeNode: m.edgeNode, device: m.device, metric: m.metric } : undefined;
}

/** The machine's command in flight (sent or accepted; at most one), for the Sparkplug host to answer. */
export async function inFlightCommand(prisma: PrismaClient, machine: string) {
  const c = await prisma.command.findFirst({ where: { machineKey: machine, status: { in: ["SENT", "ACCEPTED"] } } });
  return c ? { id: c.id, type: c.type, params: (c.params ?? {}) as Record<string, unknown> } : undefined;
}

/** Removes one metric's mapping; false when there was none. */
export async function deleteSparkplugMapping(prisma: PrismaClient, k: Pick<SparkplugMappingRow, "group" | "edgeNode" | "device" | "metric">): Promise<boolean> {
  const r = await prisma.sparkplugMapping.deleteMany({ where: k });
  return r.count > 0;
}

// The shift report's reads from PostgreSQL: a site's alerts and commands within a window.
import type { Alert } from "./alerts.ts";
import type { PrismaClient } from "./client.ts";
import type { Command } from "./generated/client.ts";

/** Alerts of the site that opened, cleared or were resolved in [start, end), oldest onset first. */
export function alertsInWindow(prisma: PrismaClient, siteKey: string, start: number, end: number, limit = 500): Promise<Alert[]> {
  const within = { gte: new Date(start), lt: new Date(end) };
  return prisma.alert.findMany({
    where: { siteKey, OR: [{ onsetAt: within }, { clearedAt: within }, { resolvedAt: within }] },
    orderBy: [{ onsetAt: "asc" }, { id: "asc" }],
    take: limit,
  });
}

/** Commands to the site's machines requested in [start, end), oldest first. */
export function commandsInWindow(prisma: PrismaClient, siteKey: string, start: number, end: number, limit = 500): Promise<Command[]> {
  return prisma.command.findMany({
    where: { siteKey, createdAt: { gte: new Date(start), lt: new Date(end) } },
    orderBy: { seq: "asc" },
    take: limit,
  });
}

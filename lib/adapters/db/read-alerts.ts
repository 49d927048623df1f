// The dashboard's reads of maintenance alerts in PostgreSQL: a machine's active alerts and the
// onsets of its alerts in a window (the machine page), the open count of some sites (the badge).
import type { MachineKey } from "#lib/contract/identity.ts";
import type { PrismaClient } from "./client.ts";
import type { Alert } from "./generated/client.ts";

export type { Alert };

/** A machine's open and acknowledged alerts, the most recently seen first. */
export function activeAlertsOf(prisma: PrismaClient, key: MachineKey): Promise<Alert[]> {
  return prisma.alert.findMany({ where: { machineKey: key, status: { in: ["OPEN", "ACKNOWLEDGED"] } }, orderBy: { lastSeenAt: "desc" } });
}

/** Every alert of a machine that began in [from, to] (any status), oldest first: when, how bad, what, and its status. */
export function alertOnsetsOf(prisma: PrismaClient, key: MachineKey, from: number, to: number) {
  return prisma.alert.findMany({
    where: { machineKey: key, onsetAt: { gte: new Date(from), lte: new Date(to) } },
    orderBy: { onsetAt: "asc" },
    select: { onsetAt: true, severity: true, cause: true, status: true },
  });
}

/** How many alerts are open on the given sites ("all": every site). */
export function openAlertCount(prisma: PrismaClient, sites: readonly string[] | "all"): Promise<number> {
  return prisma.alert.count({ where: { status: "OPEN", ...(sites === "all" ? {} : { siteKey: { in: [...sites] } }) } });
}

// Devices' own broker accounts (table DeviceBrokerAccount): made from the dashboard, read by `andon up`
// when it (re)generates the factory brokers' password files. Only the hash line is stored.
import { type AuditEntry, audit } from "./audit.ts";
import type { PrismaClient } from "./client.ts";

/** machine key -> Mosquitto password file line. */
export async function devicePasswdLines(prisma: PrismaClient): Promise<Map<string, string>> {
  const rows = await prisma.deviceBrokerAccount.findMany({ select: { machineKey: true, passwdLine: true } });
  return new Map(rows.map((r) => [r.machineKey, r.passwdLine]));
}

/** Saves (or replaces) a machine's account and its audit row in one transaction; true when it replaced one. */
export async function saveDeviceAccount(
  prisma: PrismaClient,
  a: { machineKey: string; username: string; passwdLine: string; createdBy: string },
  entry: AuditEntry,
): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const before = await tx.deviceBrokerAccount.findUnique({ where: { machineKey: a.machineKey }, select: { machineKey: true } });
    await tx.deviceBrokerAccount.upsert({
      where: { machineKey: a.machineKey },
      create: a,
      update: { username: a.username, passwdLine: a.passwdLine, createdBy: a.createdBy, createdAt: new Date() },
    });
    await audit(tx, { ...entry, details: { ...(entry.details as object), replaced: before !== null } });
    return before !== null;
  });
}

/** When the machine's account was made, and by whom (never the secret). */
export const deviceAccountOf = (prisma: PrismaClient, machineKey: string) =>
  prisma.deviceBrokerAccount.findUnique({ where: { machineKey }, select: { username: true, createdBy: true, createdAt: true } });

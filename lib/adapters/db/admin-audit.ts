// The audit log as admins read it (written by lib/adapters/db/audit.ts).
import type { PrismaClient } from "./client.ts";

/** The latest `limit` entries, newest first. */
export function latestAuditRows(db: PrismaClient, limit: number) {
  return db.auditLog.findMany({ orderBy: { id: "desc" }, take: limit });
}

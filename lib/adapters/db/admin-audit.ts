// The audit log as admins read it (written by lib/adapters/db/audit.ts).
import type { PrismaClient } from "./client.ts";

export interface AuditFilter {
  /** exactly this actor */
  actor?: string | undefined;
  /** actions starting with this, e.g. "command." */
  action?: string | undefined;
  /** this site's slug */
  site?: string | undefined;
  /** subjects containing this, e.g. a machine path */
  subject?: string | undefined;
  /** only entries older than this one (the next page) */
  before?: { at: Date; id: bigint } | undefined;
}

/** The latest `limit` entries matching the filter, newest first (by when they happened, then as recorded). */
export function latestAuditRows(db: PrismaClient, limit: number, f: AuditFilter = {}) {
  return db.auditLog.findMany({
    where: {
      ...(f.actor ? { actor: f.actor } : {}),
      ...(f.action ? { action: { startsWith: f.action } } : {}),
      ...(f.site ? { siteSlug: f.site } : {}),
      ...(f.subject ? { subject: { contains: f.subject } } : {}),
      ...(f.before ? { OR: [{ at: { lt: f.before.at } }, { at: f.before.at, id: { lt: f.before.id } }] } : {}),
    },
    orderBy: [{ at: "desc" }, { id: "desc" }],
    take: limit,
  });
}

/** Who appears in the log, and which kinds of action (for the page's filters). */
export async function auditFacets(db: PrismaClient): Promise<{ actors: string[]; actions: string[] }> {
  const [actors, actions] = await Promise.all([
    db.auditLog.findMany({ distinct: ["actor"], select: { actor: true }, orderBy: { actor: "asc" }, take: 500 }),
    db.auditLog.findMany({ distinct: ["action"], select: { action: true }, orderBy: { action: "asc" }, take: 500 }),
  ]);
  return { actors: actors.map((a) => a.actor), actions: actions.map((a) => a.action) };
}

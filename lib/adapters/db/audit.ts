// The one writer of the audit log: who did what to which subject, from where, with what result.
// Every action a person or a service takes on the plant is recorded through here (in the caller's
// transaction when it has one), so the record's shape and its site scoping are the same everywhere.
import type { Prisma, PrismaClient } from "./client.ts";

export interface AuditEntry {
  /** A user name, an API token's name or a service ("command-service", "pdm"). */
  actor: string;
  action: string;
  /** What the action was about: a machine, line or site key, a user name, a topic. */
  subject: string;
  /** The site the action concerns (enterprise/site key's site slug), for site-scoped readers. */
  siteSlug?: string | null;
  /** The client address the action came from, when known. */
  origin?: string | undefined;
  result?: string;
  details?: Prisma.InputJsonValue;
  /** When it happened, if not now (e.g. the time of the state change the entry records). */
  at?: Date;
}

type AuditClient = Pick<PrismaClient, "auditLog"> | Prisma.TransactionClient;

/** The site slug of an asset key (enterprise/site/...), or null when the subject is not one. */
export const siteSlugOf = (subject: string): string | null => subject.split("/")[1] ?? null;

export async function audit(db: AuditClient, e: AuditEntry): Promise<void> {
  await db.auditLog.create({
    data: {
      ...(e.at ? { at: e.at } : {}),
      actor: e.actor,
      ...(e.origin ? { origin: e.origin } : {}),
      action: e.action,
      subject: e.subject,
      ...(e.siteSlug !== undefined ? { siteSlug: e.siteSlug } : {}),
      result: e.result ?? "ok",
      details: e.details ?? {},
    },
  });
}

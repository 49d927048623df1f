// Browser sessions, stored by the SHA-256 of their token (the services hash; only hashes reach here).
import type { PrismaClient } from "./client.ts";

export async function insertSession(db: PrismaClient, s: { id: string; userId: string; expiresAt: Date; origin?: string | undefined }): Promise<void> {
  await db.session.create({ data: { id: s.id, userId: s.userId, expiresAt: s.expiresAt, ...(s.origin ? { origin: s.origin } : {}) } });
}

/** The session of this token hash with its user, or null. */
export function findSessionWithUser(db: PrismaClient, tokenHash: string) {
  return db.session.findUnique({ where: { id: tokenHash }, include: { user: true } });
}

export async function deleteSession(db: PrismaClient, tokenHash: string): Promise<void> {
  await db.session.deleteMany({ where: { id: tokenHash } });
}

// API tokens, stored by the SHA-256 of the token (the services hash; only hashes reach here).
import type { Role, TokenScope } from "#lib/domain/auth/policy.ts";
import type { PrismaClient } from "./client.ts";

export function listTokenRows(db: PrismaClient) {
  return db.apiToken.findMany({ orderBy: { name: "asc" } });
}

export function findTokenByName(db: PrismaClient, name: string) {
  return db.apiToken.findUnique({ where: { name } });
}

export function findTokenByHash(db: PrismaClient, tokenHash: string) {
  return db.apiToken.findUnique({ where: { tokenHash } });
}

export async function insertToken(
  db: PrismaClient,
  t: { name: string; role: Role; sites: string[]; createdBy: string; tokenHash: string; scope: TokenScope; expiresAt: Date },
): Promise<void> {
  await db.apiToken.create({ data: t });
}

export async function markTokenRevoked(db: PrismaClient, name: string): Promise<void> {
  await db.apiToken.update({ where: { name }, data: { revokedAt: new Date() } });
}

// User accounts as the auth services read and change them. Queries only: passwords are hashed and
// the rules applied by the services (lib/features/auth). Disabling a user or resetting the password
// ends the user's sessions in the same transaction.
import type { Role } from "#lib/domain/auth/policy.ts";
import type { PrismaClient } from "./client.ts";

export function findUser(db: PrismaClient, username: string) {
  return db.user.findUnique({ where: { username } });
}

export function listUserRows(db: PrismaClient) {
  return db.user.findMany({ orderBy: { username: "asc" } });
}

export function countUsers(db: PrismaClient): Promise<number> {
  return db.user.count();
}

export async function insertUser(
  db: PrismaClient,
  u: { username: string; displayName: string; role: Role; sites: string[]; passwordHash: string },
): Promise<void> {
  await db.user.create({ data: u });
}

/** Marks the user disabled and ends every session of theirs. */
export async function disableUserAndSessions(db: PrismaClient, userId: string): Promise<void> {
  await db.$transaction([db.user.update({ where: { id: userId }, data: { disabledAt: new Date() } }), db.session.deleteMany({ where: { userId } })]);
}

/** Sets a new password hash, enables the user again and ends every session of theirs. */
export async function setPasswordAndEndSessions(db: PrismaClient, userId: string, passwordHash: string): Promise<void> {
  await db.$transaction([db.user.update({ where: { id: userId }, data: { passwordHash, disabledAt: null } }), db.session.deleteMany({ where: { userId } })]);
}

// User administration for admins: list, create (password generated, shown once), disable, reset the
// password (ends the user's sessions). Every change goes to the audit log with who did it.

import { type AuditFilter, latestAuditRows } from "#lib/adapters/db/admin-audit.ts";
import { audit } from "#lib/adapters/db/audit.ts";
import { findTokenByName, listTokenRows, markTokenRevoked } from "#lib/adapters/db/auth-tokens.ts";
import { disableUserAndSessions, findUser, insertUser, listUserRows, setPasswordAndEndSessions } from "#lib/adapters/db/auth-users.ts";
import type { PrismaClient } from "#lib/adapters/db/client.ts";
import { RefusedError } from "#lib/contract/errors.ts";
import { type Principal, type Role, sitesProblem, storedSites, type TokenScope } from "#lib/domain/auth/policy.ts";
import { hashPassword, randomPassword } from "./password.ts";
import { createApiToken, tokenExpiry } from "./sessions.ts";

/** A refused request (lib/contract/errors.ts); the API answers it with its code. */
export class AdminError extends RefusedError {}

export interface UserRow {
  username: string;
  displayName: string;
  role: Role;
  sites: string[];
  createdAt: string;
  disabled: boolean;
}

export async function listUsers(prisma: PrismaClient): Promise<UserRow[]> {
  const rows = await listUserRows(prisma);
  return rows.map((u) => ({
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    sites: u.sites,
    createdAt: u.createdAt.toISOString(),
    disabled: u.disabledAt !== null,
  }));
}

export async function addUser(
  prisma: PrismaClient,
  actor: Principal,
  origin: string | undefined,
  u: { username: string; displayName: string; role: Role; sites: string[] },
  knownSites: readonly string[],
): Promise<string> {
  const problem = sitesProblem(u.role, u.sites, knownSites, `a ${u.role}`);
  if (problem) throw new AdminError("invalid", problem);
  if (await findUser(prisma, u.username)) throw new AdminError("conflict", `user ${u.username} exists already`);
  const password = randomPassword();
  await insertUser(prisma, { ...u, sites: storedSites(u.role, u.sites), passwordHash: await hashPassword(password) });
  await audit(prisma, { actor: actor.name, origin, action: "user.create", subject: u.username, details: { role: u.role, sites: u.sites } });
  return password;
}

export async function disableUser(prisma: PrismaClient, actor: Principal, origin: string | undefined, username: string): Promise<void> {
  if (actor.kind === "user" && actor.name === username) throw new AdminError("invalid", "you cannot disable your own account");
  const u = await findUser(prisma, username);
  if (!u) throw new AdminError("not_found", `no user ${username}`);
  await disableUserAndSessions(prisma, u.id);
  await audit(prisma, { actor: actor.name, origin, action: "user.disable", subject: username });
}

export async function resetPassword(prisma: PrismaClient, actor: Principal, origin: string | undefined, username: string): Promise<string> {
  const u = await findUser(prisma, username);
  if (!u) throw new AdminError("not_found", `no user ${username}`);
  const password = randomPassword();
  await setPasswordAndEndSessions(prisma, u.id, await hashPassword(password));
  await audit(prisma, { actor: actor.name, origin, action: "user.password-reset", subject: username });
  return password;
}

export async function listTokens(prisma: PrismaClient) {
  const rows = await listTokenRows(prisma);
  return rows.map((t) => ({
    name: t.name,
    role: t.role,
    sites: t.sites,
    createdBy: t.createdBy,
    createdAt: t.createdAt.toISOString(),
    revokedAt: t.revokedAt ? t.revokedAt.toISOString() : null,
    scope: t.scope,
    expiresAt: t.expiresAt ? t.expiresAt.toISOString() : null,
  }));
}

/** A machine-to-machine token (MES, ERP, BI); the token is returned once, only its hash is stored. */
export async function addToken(
  prisma: PrismaClient,
  actor: Principal,
  origin: string | undefined,
  t: { name: string; role: Role; sites: string[]; scope: TokenScope; expiresInDays: number },
  knownSites: readonly string[],
): Promise<{ token: string; expiresAt: string }> {
  const problem = sitesProblem(t.role, t.sites, knownSites, `a ${t.role} token`);
  if (problem) throw new AdminError("invalid", problem);
  if (await findTokenByName(prisma, t.name)) throw new AdminError("conflict", `a token named ${t.name} exists already`);
  const expiresAt = tokenExpiry(t.expiresInDays);
  const token = await createApiToken(prisma, {
    name: t.name,
    role: t.role,
    sites: storedSites(t.role, t.sites),
    createdBy: actor.name,
    scope: t.scope,
    expiresAt,
  });
  const details = { role: t.role, sites: t.sites, scope: t.scope, expiresAt: expiresAt.toISOString() };
  await audit(prisma, { actor: actor.name, origin, action: "token.create", subject: t.name, details });
  return { token, expiresAt: expiresAt.toISOString() };
}

export async function revokeToken(prisma: PrismaClient, actor: Principal, origin: string | undefined, name: string): Promise<void> {
  const t = await findTokenByName(prisma, name);
  if (!t) throw new AdminError("not_found", `no token ${name}`);
  if (t.revokedAt) throw new AdminError("conflict", `token ${name} is revoked already`);
  await markTokenRevoked(prisma, name);
  await audit(prisma, { actor: actor.name, origin, action: "token.revoke", subject: name });
}

export async function auditEntries(prisma: PrismaClient, limit: number, filter: AuditFilter = {}) {
  const rows = await latestAuditRows(prisma, limit, filter);
  return rows.map((r) => ({
    id: String(r.id),
    at: r.at.toISOString(),
    actor: r.actor,
    origin: r.origin,
    action: r.action,
    subject: r.subject,
    site: r.siteSlug,
    result: r.result,
    details: r.details,
  }));
}

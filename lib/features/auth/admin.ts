// User administration for admins: list, create (password generated, shown once), disable, reset the
// password (ends the user's sessions). Every change goes to the audit log with who did it.

import type { PrismaClient } from "#lib/adapters/db/client.ts";
import { RefusedError } from "#lib/contract/errors.ts";
import type { Principal, Role, TokenScope } from "#lib/domain/auth/policy.ts";
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

async function audit(prisma: PrismaClient, actor: Principal, origin: string | undefined, action: string, subject: string, details: object) {
  await prisma.auditLog.create({ data: { actor: actor.name, ...(origin ? { origin } : {}), action, subject, result: "ok", details } });
}

export async function listUsers(prisma: PrismaClient): Promise<UserRow[]> {
  const rows = await prisma.user.findMany({ orderBy: { username: "asc" } });
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
  const unknown = u.sites.filter((s) => !knownSites.includes(s));
  if (unknown.length) throw new AdminError("invalid", `body.sites: unknown site ${unknown.join(", ")}`);
  if (u.role !== "ADMIN" && u.sites.length === 0) throw new AdminError("invalid", `body.sites: a ${u.role} needs at least one site`);
  if (await prisma.user.findUnique({ where: { username: u.username } })) throw new AdminError("conflict", `user ${u.username} exists already`);
  const password = randomPassword();
  await prisma.user.create({ data: { ...u, sites: u.role === "ADMIN" ? [] : u.sites, passwordHash: await hashPassword(password) } });
  await audit(prisma, actor, origin, "user.create", u.username, { role: u.role, sites: u.sites });
  return password;
}

export async function disableUser(prisma: PrismaClient, actor: Principal, origin: string | undefined, username: string): Promise<void> {
  if (actor.kind === "user" && actor.name === username) throw new AdminError("invalid", "you cannot disable your own account");
  const u = await prisma.user.findUnique({ where: { username } });
  if (!u) throw new AdminError("not_found", `no user ${username}`);
  await prisma.$transaction([
    prisma.user.update({ where: { username }, data: { disabledAt: new Date() } }),
    prisma.session.deleteMany({ where: { userId: u.id } }),
  ]);
  await audit(prisma, actor, origin, "user.disable", username, {});
}

export async function resetPassword(prisma: PrismaClient, actor: Principal, origin: string | undefined, username: string): Promise<string> {
  const u = await prisma.user.findUnique({ where: { username } });
  if (!u) throw new AdminError("not_found", `no user ${username}`);
  const password = randomPassword();
  await prisma.$transaction([
    prisma.user.update({ where: { username }, data: { passwordHash: await hashPassword(password), disabledAt: null } }),
    prisma.session.deleteMany({ where: { userId: u.id } }),
  ]);
  await audit(prisma, actor, origin, "user.password-reset", username, {});
  return password;
}

export async function listTokens(prisma: PrismaClient) {
  const rows = await prisma.apiToken.findMany({ orderBy: { name: "asc" } });
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
  const unknown = t.sites.filter((s) => !knownSites.includes(s));
  if (unknown.length) throw new AdminError("invalid", `body.sites: unknown site ${unknown.join(", ")}`);
  if (t.role !== "ADMIN" && t.sites.length === 0) throw new AdminError("invalid", `body.sites: a ${t.role} token needs at least one site`);
  if (await prisma.apiToken.findUnique({ where: { name: t.name } })) throw new AdminError("conflict", `a token named ${t.name} exists already`);
  const expiresAt = tokenExpiry(t.expiresInDays);
  const token = await createApiToken(prisma, {
    name: t.name,
    role: t.role,
    sites: t.role === "ADMIN" ? [] : t.sites,
    createdBy: actor.name,
    scope: t.scope,
    expiresAt,
  });
  await audit(prisma, actor, origin, "token.create", t.name, { role: t.role, sites: t.sites, scope: t.scope, expiresAt: expiresAt.toISOString() });
  return { token, expiresAt: expiresAt.toISOString() };
}

export async function revokeToken(prisma: PrismaClient, actor: Principal, origin: string | undefined, name: string): Promise<void> {
  const t = await prisma.apiToken.findUnique({ where: { name } });
  if (!t) throw new AdminError("not_found", `no token ${name}`);
  if (t.revokedAt) throw new AdminError("conflict", `token ${name} is revoked already`);
  await prisma.apiToken.update({ where: { name }, data: { revokedAt: new Date() } });
  await audit(prisma, actor, origin, "token.revoke", name, {});
}

export async function auditEntries(prisma: PrismaClient, limit: number) {
  const rows = await prisma.auditLog.findMany({ orderBy: { id: "desc" }, take: limit });
  return rows.map((r) => ({
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

// Sessions and API tokens in PostgreSQL. The browser holds a random 256-bit token in an httpOnly,
// SameSite=Lax cookie; the database holds only its SHA-256, so a database leak signs nobody in.
import { createHash, randomBytes } from "node:crypto";
import type { PrismaClient } from "../db/client.ts";
import { hashPassword, randomPassword, verifyPassword } from "./password.ts";
import { type Principal, type Role, siteScope } from "./policy.ts";

export const SESSION_COOKIE = "andon_session";
export const SESSION_TTL_MS = 12 * 3_600_000;

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const newToken = () => randomBytes(32).toString("base64url");

// a real hash to compare against when the user does not exist, so timing does not tell
let dummyHash: Promise<string> | undefined;

/** Failed sign-ins per user name and per client address in the last 15 minutes (this process). */
const failures = new Map<string, number[]>();
const WINDOW_MS = 15 * 60_000;
// an address may be shared (a plant's NAT, a proxy): it gets more tries than one user name
const MAX_FAILURES = { u: 10, a: 100 } as const;

function recentFailures(key: string, now: number): number[] {
  const list = (failures.get(key) ?? []).filter((t) => now - t < WINDOW_MS);
  failures.set(key, list);
  return list;
}

function auditSignIn(prisma: PrismaClient, username: string, origin: string | undefined, result: "ok" | "denied" | "throttled") {
  const who = username.slice(0, 100);
  return prisma.auditLog.create({ data: { actor: who, ...(origin ? { origin } : {}), action: "auth.sign-in", subject: who, result, details: {} } });
}

export class TooManyAttempts extends Error {
  override name = "TooManyAttempts";
}

/** Checks the password; returns a session token and the principal, or undefined. */
export async function signIn(
  prisma: PrismaClient,
  username: string,
  password: string,
  origin?: string,
): Promise<{ token: string; principal: Principal; expiresAt: Date } | undefined> {
  // at most 10 failed attempts per user name and 100 per address in 15 minutes, then refuse without checking
  const now = Date.now();
  const keys = [`u:${username}`, ...(origin ? [`a:${origin}`] : [])];
  if (keys.some((k) => recentFailures(k, now).length >= MAX_FAILURES[k[0] as "u" | "a"])) {
    await auditSignIn(prisma, username, origin, "throttled");
    throw new TooManyAttempts("too many failed sign-ins; try again in 15 minutes");
  }
  const user = await prisma.user.findUnique({ where: { username } });
  dummyHash ??= hashPassword(randomPassword());
  const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHash));
  await auditSignIn(prisma, username, origin, ok && user && !user.disabledAt ? "ok" : "denied");
  if (!ok || !user || user.disabledAt) {
    for (const k of keys) failures.get(k)?.push(now);
    return undefined;
  }
  for (const k of keys) failures.delete(k);
  const token = newToken();
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await prisma.session.create({ data: { id: sha256(token), userId: user.id, expiresAt, ...(origin ? { origin } : {}) } });
  return { token, expiresAt, principal: userPrincipal(user) };
}

function userPrincipal(u: { id: string; username: string; displayName: string; role: Role; sites: string[] }): Principal {
  return { kind: "user", id: u.id, name: u.username, displayName: u.displayName, role: u.role, sites: siteScope(u.role, u.sites) };
}

export async function principalFromSession(prisma: PrismaClient, token: string | undefined): Promise<Principal | undefined> {
  if (!token) return undefined;
  const s = await prisma.session.findUnique({ where: { id: sha256(token) }, include: { user: true } });
  if (!s || s.expiresAt.getTime() <= Date.now() || s.user.disabledAt) return undefined;
  return userPrincipal(s.user);
}

export async function principalFromApiToken(prisma: PrismaClient, token: string | undefined): Promise<Principal | undefined> {
  if (!token) return undefined;
  const t = await prisma.apiToken.findUnique({ where: { tokenHash: sha256(token) } });
  if (!t || t.revokedAt) return undefined;
  return { kind: "token", id: t.id, name: `token:${t.name}`, displayName: t.name, role: t.role, sites: siteScope(t.role, t.sites) };
}

export async function signOut(prisma: PrismaClient, token: string | undefined): Promise<void> {
  if (token) await prisma.session.deleteMany({ where: { id: sha256(token) } });
}

/** Creates a user with a generated password; returns the password (shown once, never stored in clear). */
export async function createUser(
  prisma: PrismaClient,
  u: { username: string; displayName?: string; role: Role; sites: string[]; password?: string },
): Promise<string> {
  const password = u.password ?? randomPassword();
  await prisma.user.create({
    data: { username: u.username, displayName: u.displayName ?? u.username, role: u.role, sites: u.sites, passwordHash: await hashPassword(password) },
  });
  return password;
}

/** Creates an API token; returns it (shown once; only its hash is stored). */
export async function createApiToken(prisma: PrismaClient, t: { name: string; role: Role; sites: string[]; createdBy: string }): Promise<string> {
  const token = `andon_${newToken()}`;
  await prisma.apiToken.create({ data: { name: t.name, role: t.role, sites: t.sites, createdBy: t.createdBy, tokenHash: sha256(token) } });
  return token;
}

/** On first start: an admin with a random password, returned to be printed once. Undefined if any user exists. */
export async function ensureFirstAdmin(prisma: PrismaClient): Promise<{ username: string; password: string } | undefined> {
  if ((await prisma.user.count()) > 0) return undefined;
  const password = await createUser(prisma, { username: "admin", displayName: "Administrator", role: "ADMIN", sites: [] });
  return { username: "admin", password };
}

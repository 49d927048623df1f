// Sign-in, sessions and API tokens (stored through lib/adapters/db). The browser holds a random 256-bit
// token in an httpOnly, SameSite=Lax cookie; the database holds only its SHA-256, so a database leak
// signs nobody in.
import { createHash, randomBytes } from "node:crypto";
import { parseCookie, stringifySetCookie } from "cookie";
import { audit } from "#lib/adapters/db/audit.ts";
import { deleteSession, findSessionWithUser, insertSession } from "#lib/adapters/db/auth-sessions.ts";
import { findTokenByHash, insertToken } from "#lib/adapters/db/auth-tokens.ts";
import { countUsers, findUser, insertUser } from "#lib/adapters/db/auth-users.ts";
import type { PrismaClient } from "#lib/adapters/db/client.ts";
import { type Principal, type Role, siteScope, type TokenScope } from "#lib/domain/auth/policy.ts";
import { hashPassword, randomPassword, verifyPassword } from "./password.ts";
import type { LoginThrottle } from "./throttle.ts";

export const SESSION_COOKIE = "andon_session";
export const SESSION_TTL_MS = 12 * 3_600_000;

/** The Set-Cookie header that hands the browser its session token (Secure when served over https). */
export const sessionSetCookie = (token: string, expiresAt: Date, secure: boolean) =>
  stringifySetCookie({ name: SESSION_COOKIE, value: token, path: "/", httpOnly: true, sameSite: "lax", expires: expiresAt, secure });

/** The Set-Cookie header that drops the session cookie (sign-out). */
export const clearedSessionCookie = () => stringifySetCookie({ name: SESSION_COOKIE, value: "", path: "/", httpOnly: true, sameSite: "lax", maxAge: 0 });

/** The session token a request's Cookie header carries, if any. */
export const sessionTokenOf = (cookieHeader: string | null): string | undefined => (cookieHeader ? parseCookie(cookieHeader)[SESSION_COOKIE] : undefined);

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const newToken = () => randomBytes(32).toString("base64url");

// a real hash to compare against when the user does not exist, so timing does not tell
let dummyHash: Promise<string> | undefined;

function auditSignIn(prisma: PrismaClient, username: string, origin: string | undefined, result: "ok" | "denied" | "throttled") {
  const who = username.slice(0, 100);
  return audit(prisma, { actor: who, origin, action: "auth.sign-in", subject: who, result });
}

export class TooManyAttempts extends Error {
  override name = "TooManyAttempts";
  constructor(
    message: string,
    readonly retryAfterS: number,
  ) {
    super(message);
  }
}

/**
 * Checks the password; returns a session token and the principal, or undefined. The attempt is
 * counted by `throttle` (shared by every dashboard process) before the password is checked; over a
 * limit it throws TooManyAttempts without checking (rule: lib/domain/auth/login-throttle.ts).
 */
export async function signIn(
  prisma: PrismaClient,
  throttle: LoginThrottle,
  username: string,
  password: string,
  origin?: string,
): Promise<{ token: string; principal: Principal; expiresAt: Date } | undefined> {
  const v = await throttle.attempt(username, origin);
  if (!v.allowed) {
    await auditSignIn(prisma, username, origin, "throttled");
    throw new TooManyAttempts(`too many sign-in attempts; try again in ${Math.ceil(v.retryAfterS / 60)} minutes`, v.retryAfterS);
  }
  const user = await findUser(prisma, username);
  dummyHash ??= hashPassword(randomPassword());
  const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHash));
  await auditSignIn(prisma, username, origin, ok && user && !user.disabledAt ? "ok" : "denied");
  if (!ok || !user || user.disabledAt) return undefined;
  await throttle.succeeded(username, origin);
  const token = newToken();
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await insertSession(prisma, { id: sha256(token), userId: user.id, expiresAt, origin });
  return { token, expiresAt, principal: userPrincipal(user) };
}

function userPrincipal(u: { id: string; username: string; displayName: string; role: Role; sites: string[] }): Principal {
  return { kind: "user", id: u.id, name: u.username, displayName: u.displayName, role: u.role, sites: siteScope(u.role, u.sites) };
}

export async function principalFromSession(prisma: PrismaClient, token: string | undefined): Promise<Principal | undefined> {
  if (!token) return undefined;
  const s = await findSessionWithUser(prisma, sha256(token));
  if (!s || s.expiresAt.getTime() <= Date.now() || s.user.disabledAt) return undefined;
  return userPrincipal(s.user);
}

export async function principalFromApiToken(prisma: PrismaClient, token: string | undefined): Promise<Principal | undefined> {
  if (!token) return undefined;
  const t = await findTokenByHash(prisma, sha256(token));
  if (!t || t.revokedAt || (t.expiresAt && t.expiresAt.getTime() <= Date.now())) return undefined;
  return { kind: "token", id: t.id, name: `token:${t.name}`, displayName: t.name, role: t.role, sites: siteScope(t.role, t.sites), scope: t.scope };
}

export async function signOut(prisma: PrismaClient, token: string | undefined): Promise<void> {
  if (token) await deleteSession(prisma, sha256(token));
}

/** Creates a user with a generated password; returns the password (shown once, never stored in clear). */
export async function createUser(
  prisma: PrismaClient,
  u: { username: string; displayName?: string; role: Role; sites: string[]; password?: string },
): Promise<string> {
  const password = u.password ?? randomPassword();
  const passwordHash = await hashPassword(password);
  await insertUser(prisma, { username: u.username, displayName: u.displayName ?? u.username, role: u.role, sites: u.sites, passwordHash });
  return password;
}

/** Creates an API token; returns it (shown once; only its hash is stored). It works until `expiresAt`, within `scope`. */
export async function createApiToken(
  prisma: PrismaClient,
  t: { name: string; role: Role; sites: string[]; createdBy: string; scope: TokenScope; expiresAt: Date },
): Promise<string> {
  const token = `andon_${newToken()}`;
  await insertToken(prisma, {
    name: t.name,
    role: t.role,
    sites: t.sites,
    createdBy: t.createdBy,
    tokenHash: sha256(token),
    scope: t.scope,
    expiresAt: t.expiresAt,
  });
  return token;
}

export const tokenExpiry = (days: number, now = Date.now()) => new Date(now + days * 86_400_000);

/** On first start: an admin with a random password, returned to be printed once. Undefined if any user exists. */
export async function ensureFirstAdmin(prisma: PrismaClient): Promise<{ username: string; password: string } | undefined> {
  if ((await countUsers(prisma)) > 0) return undefined;
  const password = await createUser(prisma, { username: "admin", displayName: "Administrator", role: "ADMIN", sites: [] });
  return { username: "admin", password };
}

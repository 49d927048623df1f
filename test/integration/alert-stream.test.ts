// The live alert stream against a real PostgreSQL: the credential is checked again while the stream
// is open, and a sign-out, a revoked token or a disabled user ends it.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { prismaFor } from "#lib/adapters/db/client.ts";
import type { Principal } from "#lib/domain/auth/policy.ts";
import { createApiToken, createUser, principalFromApiToken, principalFromSession, signIn, signOut, tokenExpiry } from "#lib/features/auth/sessions.ts";
import { redisLoginThrottle } from "#lib/features/auth/throttle.ts";
import { alertEventStream } from "#lib/features/dashboard/alert-stream.ts";
import { collect } from "../support/sse.ts";

const env = inject("stack");
const prisma = prismaFor(env.DATABASE_URL);
const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1 });
const run = randomBytes(3).toString("hex");
const throttle = redisLoginThrottle(redis, { prefix: `{sse-${run}}` });

// the alert fan-out of one server process (in production: the MQTT subscription in lib/features/dashboard/context.ts)
const listeners = new Set<(siteKey: string, payload: string) => void>();
const subscribe = async (l: (siteKey: string, payload: string) => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};
const publish = (siteKey: string, payload: string) => {
  for (const l of listeners) l(siteKey, payload);
};

/** Opens a stream for the credential; collects its text until it ends. */
function open(principal: Principal, recheck: () => Promise<Principal | undefined>) {
  const abort = new AbortController();
  const state = collect(alertEventStream({ principal, recheck, subscribe, signal: abort.signal, recheckMs: 100 }));
  return { state, abort: () => abort.abort() };
}

afterAll(() => redis.disconnect());

describe("live alert stream", () => {
  it("ends when the user signs out; alerts flow until then, only for the user's sites", async () => {
    const username = `sse.out.${run}`;
    const password = await createUser(prisma, { username, role: "MAINTENANCE", sites: ["acme/pune"] });
    const s = await signIn(prisma, throttle, username, password, "10.0.0.1");
    if (!s) throw new Error("sign-in failed");
    const stream = open(s.principal, () => principalFromSession(prisma, s.token));
    await expect.poll(() => stream.state.text).toContain(": andon alerts");
    await expect.poll(() => listeners.size).toBeGreaterThan(0);
    publish("acme/dresden", '{"id":"not-mine"}');
    publish("acme/pune", '{"id":"mine"}');
    await expect.poll(() => stream.state.text).toContain('{"id":"mine"}');
    expect(stream.state.text).not.toContain("not-mine");
    // several re-checks pass while the session is valid
    await new Promise((r) => setTimeout(r, 500));
    expect(stream.state.ended).toBe(false);
    await signOut(prisma, s.token);
    await expect.poll(() => stream.state.ended, { timeout: 10_000 }).toBe(true);
    expect(stream.state.text).toContain("event: end");
    expect(listeners.size).toBe(0);
  });

  it("ends when its API token is revoked", async () => {
    const name = `sse-token-${run}`;
    const token = await createApiToken(prisma, {
      name,
      role: "CORPORATE",
      sites: ["acme/pune"],
      createdBy: "test",
      scope: "READ_ONLY",
      expiresAt: tokenExpiry(1),
    });
    const principal = await principalFromApiToken(prisma, token);
    if (!principal) throw new Error("token not accepted");
    const stream = open(principal, () => principalFromApiToken(prisma, token));
    await expect.poll(() => stream.state.text).toContain(": andon alerts");
    await prisma.apiToken.update({ where: { name }, data: { revokedAt: new Date() } });
    await expect.poll(() => stream.state.ended, { timeout: 10_000 }).toBe(true);
    expect(stream.state.text).toContain("event: end");
  });

  it("ends when the user is disabled; a failing check ends it too", async () => {
    const username = `sse.off.${run}`;
    const password = await createUser(prisma, { username, role: "MAINTENANCE", sites: ["acme/pune"] });
    const s = await signIn(prisma, throttle, username, password, "10.0.0.1");
    if (!s) throw new Error("sign-in failed");
    const stream = open(s.principal, () => principalFromSession(prisma, s.token));
    await expect.poll(() => stream.state.text).toContain(": andon alerts");
    await prisma.user.update({ where: { username }, data: { disabledAt: new Date() } });
    await expect.poll(() => stream.state.ended, { timeout: 10_000 }).toBe(true);
    const failing = open(s.principal, () => Promise.reject(new Error("database down")));
    await expect.poll(() => failing.state.ended, { timeout: 10_000 }).toBe(true);
    expect(failing.state.text).toContain("could not be checked");
  });
});

// Sign-in throttling against a real Redis and PostgreSQL: every attempt is counted before the password
// is checked (parallel guesses cannot all pass), two dashboard processes share the counters, and
// strangers cannot lock a user out of an address where the user signed in before.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { LIMITS } from "#lib/domain/auth/login-throttle.ts";
import { createUser, signIn, TooManyAttempts } from "#lib/features/auth/sessions.ts";
import { type LoginThrottle, redisLoginThrottle } from "#lib/features/auth/throttle.ts";

const env = inject("stack");
const prisma = prismaFor(env.DATABASE_URL);
const clients: Redis[] = [];
const run = randomBytes(3).toString("hex");

/** One dashboard process's throttle: its own Redis connection, the prefix of this test. */
function processThrottle(prefix: string, o: Parameters<typeof redisLoginThrottle>[1] = {}): LoginThrottle {
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1 });
  clients.push(redis);
  return redisLoginThrottle(redis, { ...o, prefix });
}

async function newUser(tag: string) {
  const username = `thr.${tag}.${run}`;
  return { username, password: await createUser(prisma, { username, role: "MAINTENANCE", sites: ["x/y"] }) };
}

/** "checked": the password was checked (and wrong); "throttled": refused before any check; "ok": signed in. */
const outcome = (p: Promise<unknown>) =>
  p.then(
    (r) => (r ? "ok" : "checked"),
    (e) => {
      if (e instanceof TooManyAttempts) return "throttled";
      throw e;
    },
  );

afterAll(async () => {
  for (const c of clients) c.disconnect();
});

describe("login throttling", () => {
  it("25 parallel wrong guesses from one address: exactly the limit get a password check", async () => {
    const t = processThrottle(`{thr-${run}-par}`);
    const { username, password } = await newUser("par");
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => outcome(signIn(prisma, t, username, `wrong-${i}`, "10.0.0.1"))));
    expect(results.filter((r) => r === "checked")).toHaveLength(LIMITS.userAtAddress);
    expect(results.filter((r) => r === "throttled")).toHaveLength(25 - LIMITS.userAtAddress);
    // the right password is not even checked now
    expect(await outcome(signIn(prisma, t, username, password, "10.0.0.1"))).toBe("throttled");
    expect(await prisma.auditLog.count({ where: { action: "auth.sign-in", subject: username, result: "denied" } })).toBe(LIMITS.userAtAddress);
  });

  it("two dashboard processes share one count", async () => {
    const prefix = `{thr-${run}-two}`;
    const a = processThrottle(prefix);
    const b = processThrottle(prefix);
    const { username } = await newUser("two");
    for (let i = 0; i < 6; i++) expect(await outcome(signIn(prisma, a, username, "wrong", "10.0.0.2"))).toBe("checked");
    for (let i = 0; i < 4; i++) expect(await outcome(signIn(prisma, b, username, "wrong", "10.0.0.2"))).toBe("checked");
    expect(await outcome(signIn(prisma, a, username, "wrong", "10.0.0.2"))).toBe("throttled");
    expect(await outcome(signIn(prisma, b, username, "wrong", "10.0.0.2"))).toBe("throttled");
  });

  it("strangers lock a name out of new addresses only; the user still signs in where they did before", async () => {
    const t = processThrottle(`{thr-${run}-lock}`);
    const { username, password } = await newUser("lock");
    expect(await outcome(signIn(prisma, t, username, password, "192.0.2.10"))).toBe("ok");
    // a botnet: one guess from each of 40 addresses (more than the per-user limit)
    const guesses = await Promise.all(Array.from({ length: 40 }, (_, i) => outcome(signIn(prisma, t, username, "guess", `198.51.100.${i + 1}`))));
    expect(guesses.filter((r) => r === "checked")).toHaveLength(LIMITS.user);
    // one stranger hammering from one address locks only that address
    for (let i = 0; i < 12; i++) await outcome(signIn(prisma, t, username, "guess", "203.0.113.7"));
    expect(await outcome(signIn(prisma, t, username, password, "203.0.113.7"))).toBe("throttled");
    // from an address never used before, the name is locked for this window ...
    expect(await outcome(signIn(prisma, t, username, password, "192.0.2.99"))).toBe("throttled");
    // ... but not from where the user signed in before, however long the strangers go on
    expect(await outcome(signIn(prisma, t, username, password, "192.0.2.10"))).toBe("ok");
    expect(await outcome(signIn(prisma, t, username, password, "192.0.2.10"))).toBe("ok");
  });

  it("correct passwords take their attempt back: a shared address is not throttled by its successes", async () => {
    const t = processThrottle(`{thr-${run}-nat}`, { limits: { address: 3, userAtAddress: 10, user: 30 } });
    const users = await Promise.all([newUser("nat1"), newUser("nat2"), newUser("nat3"), newUser("nat4"), newUser("nat5")]);
    for (const u of users) expect(await outcome(signIn(prisma, t, u.username, u.password, "10.0.0.3"))).toBe("ok");
    // failures still count: three wrong guesses, then the address is refused for everyone
    for (let i = 0; i < 3; i++) expect(await outcome(signIn(prisma, t, users[0]!.username, "wrong", "10.0.0.3"))).toBe("checked");
    expect(await outcome(signIn(prisma, t, users[1]!.username, users[1]!.password, "10.0.0.3"))).toBe("throttled");
  });

  it("a lock ends with its window; counters are keys that expire in Redis", async () => {
    const prefix = `{thr-${run}-ttl}`;
    const t = processThrottle(prefix, { windowS: 5 });
    // the counters alone (no password checks), so the attempts fit well inside the window
    for (let i = 0; i < LIMITS.userAtAddress; i++) expect((await t.attempt("thr.ttl", "10.0.0.4")).allowed).toBe(true);
    const locked = await t.attempt("thr.ttl", "10.0.0.4");
    expect(locked).toMatchObject({ allowed: false, counter: "userAtAddress" });
    const redis = clients.at(-1) as Redis;
    const keys = await redis.keys(`${prefix}:login:*`);
    expect(keys.length).toBe(3);
    for (const k of keys) expect(await redis.ttl(k)).toBeGreaterThan(0);
    await expect.poll(async () => (await t.attempt("thr.ttl", "10.0.0.4")).allowed, { timeout: 20_000, interval: 500 }).toBe(true);
  });
});

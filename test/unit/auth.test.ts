// Passwords and the role/site policy: pure parts of sign-in and access control.
import { describe, expect, it } from "vitest";
import { countersFor, LIMITS, verdict } from "#lib/domain/auth/login-throttle.ts";
import { can, mayChangeState, type Principal, visibleSites } from "#lib/domain/auth/policy.ts";
import { hashPassword, passwordProblem, randomPassword, verifyPassword } from "#lib/features/auth/password.ts";

const who = (role: Principal["role"], sites: Principal["sites"]): Principal => ({ kind: "user", id: "x", name: "x", displayName: "x", role, sites });

describe("passwords", () => {
  it("hash with scrypt and a random salt; verify the right password only", async () => {
    const a = await hashPassword("correct horse battery");
    const b = await hashPassword("correct horse battery");
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("correct horse battery", a)).toBe(true);
    expect(await verifyPassword("correct horse batterY", a)).toBe(false);
    expect(await verifyPassword("anything", "md5$abc")).toBe(false);
  });

  it("generates 120-bit passwords and rejects short chosen ones", () => {
    expect(randomPassword()).toMatch(/^[\w-]{20}$/);
    expect(new Set(Array.from({ length: 50 }, randomPassword)).size).toBe(50);
    expect(passwordProblem("short")).toMatch(/12 characters/);
    expect(passwordProblem("a long enough one")).toBeUndefined();
  });
});

describe("policy", () => {
  const pmDresden = who("PLANT_MANAGER", ["acme/dresden"]);
  it("roles: what each may do", () => {
    expect(can(who("CORPORATE", ["acme/dresden"]), "oee:read", "acme/dresden")).toBe(true);
    expect(can(who("CORPORATE", ["acme/dresden"]), "reasons:write", "acme/dresden")).toBe(false);
    expect(can(pmDresden, "reasons:write", "acme/dresden")).toBe(true);
    expect(can(who("MAINTENANCE", ["acme/pune"]), "reasons:write", "acme/pune")).toBe(false);
    expect(can(pmDresden, "ingest:read")).toBe(false);
    expect(can(who("ADMIN", "all"), "ingest:read")).toBe(true);
    expect(can(undefined, "oee:read")).toBe(false);
  });

  it("sites: a scoped user never reaches another site; an admin reaches all", () => {
    expect(can(pmDresden, "oee:read", "acme/pune")).toBe(false);
    expect(can(pmDresden, "reasons:write", "acme/pune")).toBe(false);
    expect(can(who("ADMIN", "all"), "reasons:write", "acme/pune")).toBe(true);
    const sites = [{ key: "acme/dresden" }, { key: "acme/pune" }];
    expect(visibleSites(pmDresden, sites)).toEqual([{ key: "acme/dresden" }]);
    expect(visibleSites(who("ADMIN", "all"), sites)).toHaveLength(2);
  });
});

describe("token scope", () => {
  it("only users and read-write tokens may change state", () => {
    const token = (scope?: "READ_ONLY" | "READ_WRITE"): Principal => ({ ...who("ADMIN", "all"), kind: "token", ...(scope ? { scope } : {}) });
    expect(mayChangeState(who("MAINTENANCE", ["acme/pune"]))).toBe(true);
    expect(mayChangeState(token("READ_WRITE"))).toBe(true);
    expect(mayChangeState(token("READ_ONLY"))).toBe(false);
    // a token without a scope is read-only: nothing is allowed by omission
    expect(mayChangeState(token())).toBe(false);
    expect(mayChangeState(undefined)).toBe(false);
  });
});

describe("login throttle rule", () => {
  it("feeds the per-user counter only from addresses where the user has not signed in before", () => {
    expect(countersFor({ hasAddress: true, known: false })).toEqual(["address", "userAtAddress", "user"]);
    expect(countersFor({ hasAddress: true, known: true })).toEqual(["address", "userAtAddress"]);
    expect(countersFor({ hasAddress: false, known: false })).toEqual(["userAtAddress", "user"]);
  });

  it.each([
    [{ userAtAddress: { count: 10, ttlS: 60 } }, { allowed: true }],
    [{ userAtAddress: { count: 11, ttlS: 60 } }, { allowed: false, counter: "userAtAddress", retryAfterS: 60 }],
    [{ user: { count: 31, ttlS: 0 } }, { allowed: false, counter: "user", retryAfterS: 1 }],
    [
      { address: { count: 101, ttlS: 900 }, userAtAddress: { count: 1, ttlS: 900 } },
      { allowed: false, counter: "address", retryAfterS: 900 },
    ],
    [{ address: { count: 100, ttlS: 900 }, user: { count: 30, ttlS: 900 } }, { allowed: true }],
  ])("counts %j -> %j", (counts, want) => {
    expect(verdict(counts)).toEqual(want);
    expect(LIMITS).toEqual({ address: 100, userAtAddress: 10, user: 30 });
  });
});

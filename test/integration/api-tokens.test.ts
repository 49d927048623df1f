// API tokens against a real PostgreSQL: an expired or revoked token is nobody; a token carries its scope.
import { randomBytes } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { mayChangeState } from "#lib/domain/auth/policy.ts";
import { createApiToken, principalFromApiToken, tokenExpiry } from "#lib/features/auth/sessions.ts";

const env = inject("stack");
const prisma = prismaFor(env.DATABASE_URL);
const run = randomBytes(3).toString("hex");
const make = (name: string, scope: "READ_ONLY" | "READ_WRITE", expiresAt: Date) =>
  createApiToken(prisma, { name: `${name}-${run}`, role: "PLANT_MANAGER", sites: ["acme/dresden"], createdBy: "test", scope, expiresAt });

describe("API tokens", () => {
  it("carry their scope: a read-only token may not change state, a read-write one may", async () => {
    const ro = await principalFromApiToken(prisma, await make("ro", "READ_ONLY", tokenExpiry(1)));
    const rw = await principalFromApiToken(prisma, await make("rw", "READ_WRITE", tokenExpiry(1)));
    expect(ro).toMatchObject({ kind: "token", scope: "READ_ONLY" });
    expect(rw).toMatchObject({ kind: "token", scope: "READ_WRITE" });
    expect(mayChangeState(ro)).toBe(false);
    expect(mayChangeState(rw)).toBe(true);
  });

  it("an expired token is refused; so is a revoked one", async () => {
    const expired = await make("old", "READ_WRITE", new Date(Date.now() - 1000));
    expect(await principalFromApiToken(prisma, expired)).toBeUndefined();
    const live = await make("live", "READ_WRITE", tokenExpiry(1));
    expect(await principalFromApiToken(prisma, live)).toBeDefined();
    await prisma.apiToken.update({ where: { name: `live-${run}` }, data: { revokedAt: new Date() } });
    expect(await principalFromApiToken(prisma, live)).toBeUndefined();
  });

  it("a token made before scopes existed keeps its old powers and never expires (the migration's choice)", async () => {
    // as the migration leaves a pre-existing row: READ_WRITE, no expiry
    const token = await make("legacy", "READ_WRITE", tokenExpiry(1));
    await prisma.apiToken.update({ where: { name: `legacy-${run}` }, data: { expiresAt: null } });
    expect(mayChangeState(await principalFromApiToken(prisma, token))).toBe(true);
    // a row inserted without a scope gets the column default: read-only
    await prisma.$executeRaw`INSERT INTO "ApiToken" (id, name, "tokenHash", role, sites, "createdBy") VALUES (gen_random_uuid(), ${`bare-${run}`}, ${`h-${run}`}, 'CORPORATE', '{}', 'sql')`;
    expect((await prisma.apiToken.findUniqueOrThrow({ where: { name: `bare-${run}` } })).scope).toBe("READ_ONLY");
  });
});

// The dashboard's asset model (lib/features/dashboard/context.ts machines()), read from the real
// PostgreSQL: read again, it is the very same array while nothing in it changed (what is kept against
// it, the plant board's timelines and a site's facts, stays good), and a new one once a machine changed.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { machines } from "#lib/features/dashboard/context.ts";
import { forgetShared } from "#lib/features/dashboard/shared-read.ts";
import { seedTestPlant, testPlant } from "../support/stack.ts";

const env = inject("stack");
const ent = `assets${randomBytes(3).toString("hex")}`;
const plant = testPlant(ent, 2);

beforeAll(async () => {
  // the dashboard's configuration (lib/platform/config.ts reads it once, at the first use)
  Object.assign(process.env, { ...env, LOG_LEVEL: "warn" });
  await seedTestPlant(env.DATABASE_URL, plant);
});

describe("the dashboard's asset model", () => {
  it("is the same array when read again unchanged, and a new one with the change after a machine changed", async () => {
    const first = await machines();
    expect(first.some((m) => m.enterprise === ent)).toBe(true);
    forgetShared("assets:");
    const again = await machines();
    expect(again).toBe(first);

    const slug = plant.sites[0]?.areas[0]?.lines[0]?.machines[0]?.slug as string;
    const prisma = prismaFor(env.DATABASE_URL);
    const row = await prisma.machine.findFirstOrThrow({ where: { slug, line: { area: { site: { enterprise: { slug: ent } } } } } });
    await prisma.machine.update({ where: { id: row.id }, data: { name: "Renamed press" } });
    forgetShared("assets:");
    const changed = await machines();
    expect(changed).not.toBe(first);
    expect(changed.find((m) => m.enterprise === ent && m.slug === slug)?.name).toBe("Renamed press");
    expect(first.find((m) => m.enterprise === ent && m.slug === slug)?.name).not.toBe("Renamed press");
  });
});

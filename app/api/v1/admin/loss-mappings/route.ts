import { createLossMappingVersion, listLossMappings } from "#lib/features/admin/loss-mappings.ts";
import { route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { db, queueRecompute } from "#lib/features/dashboard/context.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.lossMappings, async () => listLossMappings(db()));

export const POST = route(catalog.createLossMappingVersion, async ({ principal, origin, body }) =>
  createLossMappingVersion({ prisma: db(), recompute: (ranges, why, enterprise) => queueRecompute(ranges, why, enterprise) }, principal, origin, body),
);

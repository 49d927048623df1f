import { createLossMappingVersion, listLossMappings } from "../../../../../lib/admin/loss-mappings.ts";
import { enqueueRecompute } from "../../../../../lib/queues/oee.ts";
import { route } from "../../../../../lib/web/api.ts";
import { catalog } from "../../../../../lib/web/catalog.ts";
import { db, oeeJobs } from "../../../../../lib/web/context.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.lossMappings, async () => listLossMappings(db()));

export const POST = route(catalog.createLossMappingVersion, async ({ principal, origin, body }) =>
  createLossMappingVersion(
    { prisma: db(), recompute: async (ranges, why, enterprise) => void (await enqueueRecompute(oeeJobs(), ranges, why, enterprise)) },
    principal,
    origin,
    body,
  ),
);

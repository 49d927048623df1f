import { createLossMappingVersion, listLossMappings } from "../../../../../lib/admin/loss-mappings.ts";
import { route } from "../../../../../lib/web/api.ts";
import { catalog } from "../../../../../lib/web/catalog.ts";
import { db, queueRecompute } from "../../../../../lib/web/context.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.lossMappings, async () => listLossMappings(db()));

export const POST = route(catalog.createLossMappingVersion, async ({ principal, origin, body }) =>
  createLossMappingVersion({ prisma: db(), recompute: (ranges, why, enterprise) => queueRecompute(ranges, why, enterprise) }, principal, origin, body),
);

import { setMachineLossMapping } from "#lib/features/admin/loss-mappings.ts";
import { route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { db } from "#lib/features/dashboard/context.ts";

export const dynamic = "force-dynamic";

export const POST = route(catalog.setMachineLossMapping, async ({ principal, origin, params, body }) =>
  setMachineLossMapping(db(), principal, origin, params.id, body.lossMappingId),
);

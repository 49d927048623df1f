import { setMachineLossMapping } from "../../../../../../../lib/admin/loss-mappings.ts";
import { route } from "../../../../../../../lib/web/api.ts";
import { catalog } from "../../../../../../../lib/web/catalog.ts";
import { db } from "../../../../../../../lib/web/context.ts";

export const dynamic = "force-dynamic";

export const POST = route(catalog.setMachineLossMapping, async ({ principal, origin, params, body }) =>
  setMachineLossMapping(db(), principal, origin, params.id, body.lossMappingId),
);

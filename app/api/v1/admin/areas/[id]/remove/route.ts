import { removeEmpty } from "../../../../../../../lib/admin/structure.ts";
import { route } from "../../../../../../../lib/web/api.ts";
import { catalog } from "../../../../../../../lib/web/catalog.ts";
import { db } from "../../../../../../../lib/web/context.ts";

export const dynamic = "force-dynamic";

export const POST = route(catalog.removeArea, async ({ principal, origin, params }) => removeEmpty(db(), principal, origin, "area", params.id));

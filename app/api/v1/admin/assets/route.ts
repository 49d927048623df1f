import { assetTree } from "../../../../../lib/admin/assets.ts";
import { route } from "../../../../../lib/web/api.ts";
import { catalog } from "../../../../../lib/web/catalog.ts";
import { db } from "../../../../../lib/web/context.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.assets, async () => assetTree(db()));

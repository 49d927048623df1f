import { assetTree } from "#lib/features/admin/assets.ts";
import { route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { db } from "#lib/features/dashboard/context.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.assets, async () => assetTree(db()));

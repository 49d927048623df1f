import { rename } from "#lib/features/admin/structure.ts";
import { route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { db } from "#lib/features/dashboard/context.ts";

export const dynamic = "force-dynamic";

export const POST = route(catalog.renameLine, async ({ principal, origin, params, body }) => rename(db(), principal, origin, "line", params.id, body.name));

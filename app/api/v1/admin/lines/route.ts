import { createLine } from "#lib/features/admin/structure.ts";
import { route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { db } from "#lib/features/dashboard/context.ts";

export const dynamic = "force-dynamic";

export const POST = route(catalog.createLine, async ({ principal, origin, body }) => createLine(db(), principal, origin, body));

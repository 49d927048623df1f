import { route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { commandTypes } from "#lib/features/dashboard/commands-api.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.commandTypes, async ({ principal }) => commandTypes(principal));

import { route } from "../../../../../lib/web/api.ts";
import { catalog } from "../../../../../lib/web/catalog.ts";
import { commandTypes } from "../../../../../lib/web/commands-api.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.commandTypes, async ({ principal }) => commandTypes(principal));

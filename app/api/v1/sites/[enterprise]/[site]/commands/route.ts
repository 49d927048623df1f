import { siteKey } from "#lib/contract/identity.ts";
import { commandJson, listCommands } from "#lib/features/commands/store.ts";
import { route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { db } from "#lib/features/dashboard/context.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.siteCommands, async ({ principal, params, query }) => ({
  commands: (await listCommands(db(), { sites: principal.sites, site: siteKey(params), limit: query.limit })).map(commandJson),
}));

import { commandJson, listCommands } from "../../../../../../../lib/commands/store.ts";
import { route } from "../../../../../../../lib/web/api.ts";
import { catalog } from "../../../../../../../lib/web/catalog.ts";
import { db } from "../../../../../../../lib/web/context.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.siteCommands, async ({ principal, params, query }) => ({
  commands: (await listCommands(db(), { sites: principal.sites, site: `${params.enterprise}/${params.site}`, limit: query.limit })).map(commandJson),
}));

import { cancelCommand, commandFor, commandJson } from "../../../../../../lib/commands/store.ts";
import { route } from "../../../../../../lib/web/api.ts";
import { catalog } from "../../../../../../lib/web/catalog.ts";
import { db } from "../../../../../../lib/web/context.ts";

export const dynamic = "force-dynamic";

export const POST = route(catalog.cancelCommand, async ({ principal, origin, params }) => {
  await cancelCommand(db(), principal, params.id, origin);
  return { command: commandJson(await commandFor(db(), principal, params.id)) };
});

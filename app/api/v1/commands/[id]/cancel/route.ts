import { cancelCommand, commandFor, commandJson } from "#lib/features/commands/store.ts";
import { route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { db } from "#lib/features/dashboard/context.ts";

export const dynamic = "force-dynamic";

export const POST = route(catalog.cancelCommand, async ({ principal, origin, params }) => {
  await cancelCommand(db(), principal, params.id, origin);
  return { command: commandJson(await commandFor(db(), principal, params.id)) };
});

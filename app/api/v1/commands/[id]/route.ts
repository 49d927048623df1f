import { isFinal } from "#lib/domain/commands/lifecycle.ts";
import { commandFor, commandJson } from "#lib/features/commands/store.ts";
import { route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { db } from "#lib/features/dashboard/context.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.command, async ({ principal, params }) => {
  const c = await commandFor(db(), principal, params.id);
  return { command: commandJson(c), final: isFinal(c.status) };
});

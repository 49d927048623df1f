import { commandFor, commandJson } from "../../../../../lib/commands/store.ts";
import { isFinal } from "../../../../../lib/domain/commands/lifecycle.ts";
import { route } from "../../../../../lib/web/api.ts";
import { catalog } from "../../../../../lib/web/catalog.ts";
import { db } from "../../../../../lib/web/context.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.command, async ({ principal, params }) => {
  const c = await commandFor(db(), principal, params.id);
  return { command: commandJson(c), final: isFinal(c.status) };
});

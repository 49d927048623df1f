import { machineKey } from "#lib/contract/identity.ts";
import { commandFor, commandJson, listCommands, requestCommand } from "#lib/features/commands/store.ts";
import { route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { db } from "#lib/features/dashboard/context.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.machineCommands, async ({ principal, params, query }) => ({
  commands: (await listCommands(db(), { sites: principal.sites, machine: machineKey(params), limit: query.limit })).map(commandJson),
}));

export const POST = route(catalog.sendCommand, async ({ principal, origin, params, body }) => {
  const { command, created } = await requestCommand(
    db(),
    principal,
    {
      machine: machineKey(params),
      type: body.type,
      ...(body.id ? { id: body.id } : {}),
      ...(body.params ? { params: body.params } : {}),
      ...(body.confirm !== undefined ? { confirm: body.confirm } : {}),
      ...(body.expiresInS ? { expiresInS: body.expiresInS } : {}),
      ...(body.alertId ? { alertId: body.alertId } : {}),
    },
    origin,
  );
  return { command: commandJson(await commandFor(db(), principal, command.id)), created };
});

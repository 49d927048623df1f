import { commandFor, commandJson, listCommands, requestCommand } from "../../../../../../../../../../lib/commands/store.ts";
import { route } from "../../../../../../../../../../lib/web/api.ts";
import { catalog } from "../../../../../../../../../../lib/web/catalog.ts";
import { commandsApi } from "../../../../../../../../../../lib/web/commands-api.ts";
import { db } from "../../../../../../../../../../lib/web/context.ts";

export const dynamic = "force-dynamic";

const keyOf = (p: { enterprise: string; site: string; area: string; line: string; machine: string }) =>
  `${p.enterprise}/${p.site}/${p.area}/${p.line}/${p.machine}`;

export const GET = route(catalog.machineCommands, async ({ principal, params, query }) => ({
  commands: (await listCommands(db(), { sites: principal.sites, machine: keyOf(params), limit: query.limit })).map(commandJson),
}));

export const POST = route(catalog.sendCommand, async ({ principal, origin, params, body }) => {
  const { command, created } = await commandsApi(() =>
    requestCommand(
      db(),
      principal,
      {
        machine: keyOf(params),
        type: body.type,
        ...(body.id ? { id: body.id } : {}),
        ...(body.params ? { params: body.params } : {}),
        ...(body.confirm !== undefined ? { confirm: body.confirm } : {}),
        ...(body.expiresInS ? { expiresInS: body.expiresInS } : {}),
        ...(body.alertId ? { alertId: body.alertId } : {}),
      },
      origin,
    ),
  );
  return { command: commandJson(await commandFor(db(), principal, command.id)), created };
});

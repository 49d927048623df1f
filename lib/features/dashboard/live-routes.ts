// The live streams as the API routes answer them, composed from this server process's handles: the
// caller was checked by route() (role and site); the stream checks the credential and the site
// again every 5 s (./event-stream.ts), and its events come from ./live-sources.ts.
import { type MachinePath, machineKey, type SitePath, siteKey } from "#lib/contract/identity.ts";
import { type Action, can, type Principal } from "#lib/domain/auth/policy.ts";
import { commandFor, commandJson } from "#lib/features/commands/store.ts";
import { ApiError, principalOf } from "./api.ts";
import { db, machines, sharedPlantView } from "./context.ts";
import { type EventStreamDeps, eventStream, sseHeaders } from "./event-stream.ts";
import { onCommandStatus, onStateChange } from "./live-sources.ts";
import { commandSource, plantSource } from "./live-streams.ts";

function streamResponse(req: Request, principal: Principal, name: string, action: Action, site: string, open: EventStreamDeps["open"]): Response {
  const stream = eventStream({
    name,
    principal,
    // read from the database every time (not the 2-second principal cache)
    recheck: () => principalOf(req, { fresh: true }),
    allowed: (p) => can(p, action, site),
    open,
    signal: req.signal,
  });
  return new Response(stream, { headers: sseHeaders });
}

/** A site's plant board, live: `state` and `view` events (./live-streams.ts). */
export async function plantStreamResponse(req: Request, principal: Principal, s: SitePath): Promise<Response> {
  const view = () => sharedPlantView(s.enterprise, s.site);
  if (!(await view().value)) throw new ApiError("not_found", `no site ${siteKey(s)}`);
  const site = siteKey(s);
  return streamResponse(
    req,
    principal,
    `andon plant ${site}`,
    "oee:read",
    site,
    plantSource({ site, onState: onStateChange, machines, view: () => view().text() }),
  );
}

/** A machine's commands, live: `command` and `resync` events (./live-streams.ts). */
export function commandStreamResponse(req: Request, principal: Principal, m: MachinePath): Response {
  const key = machineKey(m);
  return streamResponse(
    req,
    principal,
    `andon commands ${key}`,
    "commands:read",
    siteKey(m),
    commandSource({
      machineKey: key,
      onStatus: onCommandStatus,
      read: async (id) => commandJson(await commandFor(db(), principal, id)),
    }),
  );
}

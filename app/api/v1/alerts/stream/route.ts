import { alertEventStream } from "#lib/features/dashboard/alert-stream.ts";
import { principalOf, route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { sseHeaders } from "#lib/features/dashboard/event-stream.ts";
import { onAlertChange } from "#lib/features/dashboard/live-sources.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.alertStream, async ({ principal, req }) => {
  const stream = alertEventStream({
    principal,
    // read from the database every time (not the 2-second principal cache)
    recheck: () => principalOf(req, { fresh: true }),
    subscribe: onAlertChange,
    signal: req.signal,
  });
  return new Response(stream, { headers: sseHeaders });
});

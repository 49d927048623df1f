import { actorOf, alertDeps, alertJson } from "#lib/features/dashboard/alerts-api.ts";
import { route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { resolveAlert } from "#lib/features/pdm/alerts.ts";

export const dynamic = "force-dynamic";

export const POST = route(catalog.resolveAlert, async ({ principal, origin, params, body }) => ({
  alert: alertJson(await resolveAlert(alertDeps(), actorOf(principal, origin), params.id, body.note)),
}));

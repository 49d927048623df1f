import { actorOf, alertDeps, alertJson } from "#lib/features/dashboard/alerts-api.ts";
import { route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { acknowledgeAlert } from "#lib/features/pdm/alerts.ts";

export const dynamic = "force-dynamic";

export const POST = route(catalog.acknowledgeAlert, async ({ principal, origin, params }) => ({
  alert: alertJson(await acknowledgeAlert(alertDeps(), actorOf(principal, origin), params.id)),
}));

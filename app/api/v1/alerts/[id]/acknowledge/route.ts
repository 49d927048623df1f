import { acknowledgeAlert } from "../../../../../../lib/pdm/alerts.ts";
import { actorOf, alertDeps, alertJson } from "../../../../../../lib/web/alerts-api.ts";
import { route } from "../../../../../../lib/web/api.ts";
import { catalog } from "../../../../../../lib/web/catalog.ts";

export const dynamic = "force-dynamic";

export const POST = route(catalog.acknowledgeAlert, async ({ principal, origin, params }) => ({
  alert: alertJson(await acknowledgeAlert(alertDeps(), actorOf(principal, origin), params.id)),
}));

import { assignAlert } from "../../../../../../lib/pdm/alerts.ts";
import { actorOf, alertDeps, alertJson } from "../../../../../../lib/web/alerts-api.ts";
import { route } from "../../../../../../lib/web/api.ts";
import { catalog } from "../../../../../../lib/web/catalog.ts";

export const dynamic = "force-dynamic";

export const POST = route(catalog.assignAlert, async ({ principal, origin, params, body }) => ({
  alert: alertJson(await assignAlert(alertDeps(), actorOf(principal, origin), params.id, body.assignee)),
}));

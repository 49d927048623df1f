import { listAlerts } from "../../../../lib/pdm/alerts.ts";
import { alertJson } from "../../../../lib/web/alerts-api.ts";
import { route } from "../../../../lib/web/api.ts";
import { catalog } from "../../../../lib/web/catalog.ts";
import { db } from "../../../../lib/web/context.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.alerts, async ({ principal, query }) => {
  const alerts = await listAlerts(db(), {
    sites: principal.sites,
    ...(query.site ? { site: query.site } : {}),
    ...(query.status ? { status: query.status.split(",") } : {}),
    ...(query.severity ? { severity: query.severity } : {}),
  });
  const open = await db().alert.count({
    where: { status: "OPEN", ...(principal.sites === "all" ? {} : { siteKey: { in: [...principal.sites] } }) },
  });
  return { alerts: alerts.map(alertJson), open };
});

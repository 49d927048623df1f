import { openAlertCount } from "#lib/adapters/db/alerts.ts";
import { alertJson } from "#lib/features/dashboard/alerts-api.ts";
import { route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { db } from "#lib/features/dashboard/context.ts";
import { listAlerts } from "#lib/features/pdm/alerts.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.alerts, async ({ principal, query }) => {
  const alerts = await listAlerts(db(), {
    sites: principal.sites,
    ...(query.site ? { site: query.site } : {}),
    ...(query.status ? { status: query.status.split(",") } : {}),
    ...(query.severity ? { severity: query.severity } : {}),
  });
  const open = await openAlertCount(db(), principal.sites);
  return { alerts: alerts.map(alertJson), open };
});

import { countAlertsByStatus, openAlertCount } from "#lib/adapters/db/alerts.ts";
import { alertJson } from "#lib/features/dashboard/alerts-api.ts";
import { route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { db } from "#lib/features/dashboard/context.ts";
import { listAlerts } from "#lib/features/pdm/alerts.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.alerts, async ({ principal, query }) => {
  const filter = { sites: principal.sites, ...(query.site ? { site: query.site } : {}), ...(query.severity ? { severity: query.severity } : {}) };
  const [alerts, open, byStatus] = await Promise.all([
    listAlerts(db(), { ...filter, ...(query.status ? { status: query.status.split(",") } : {}) }),
    openAlertCount(db(), principal.sites),
    countAlertsByStatus(db(), filter),
  ]);
  return { alerts: alerts.map(alertJson), open, byStatus };
});

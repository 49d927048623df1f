import { can, visibleSites } from "#lib/domain/auth/policy.ts";
import { alertFilter, statusesOf } from "#lib/features/dashboard/alert-filter.ts";
import { alertJson } from "#lib/features/dashboard/alerts-api.ts";
import { db, machines } from "#lib/features/dashboard/context.ts";
import { allowed } from "#lib/features/dashboard/page-auth.ts";
import { listSites } from "#lib/features/dashboard/sites.ts";
import { listAlerts } from "#lib/features/pdm/alerts.ts";
import { AlertsInbox } from "../components/alerts-inbox.tsx";
import { Forbidden } from "../components/forbidden.tsx";

export const dynamic = "force-dynamic";

/** `?state=active|open|resolved|cleared|all&site=<enterprise/site>&severity=CRITICAL|WARNING` (lib/features/dashboard/alert-filter.ts) */
export default async function AlertsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { principal, ok } = await allowed("/alerts", "alerts:read");
  if (!ok) return <Forbidden what="maintenance alerts" />;
  const sites = visibleSites(principal, listSites(await machines())).map((s) => ({ key: s.key, name: s.name, timeZone: s.timeZone }));
  const filter = alertFilter(
    await searchParams,
    sites.map((s) => s.key),
  );
  const statuses = statusesOf(filter.state);
  const alerts = (
    await listAlerts(db(), {
      sites: principal.sites,
      ...(filter.site ? { site: filter.site } : {}),
      ...(filter.severity ? { severity: filter.severity } : {}),
      ...(statuses ? { status: statuses } : {}),
    })
  ).map(alertJson);
  return (
    <>
      <h1>Alerts</h1>
      <div className="sub">Maintenance alerts of your sites; changes arrive live. Acknowledging, assigning and resolving are recorded with your name.</div>
      <AlertsInbox initial={alerts} initialFilter={filter} sites={sites} canAct={can(principal, "alerts:write")} />
    </>
  );
}

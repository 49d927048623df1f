import { can, visibleSites } from "#lib/domain/auth/policy.ts";
import { alertJson } from "#lib/features/dashboard/alerts-api.ts";
import { db, machines } from "#lib/features/dashboard/context.ts";
import { allowed } from "#lib/features/dashboard/page-auth.ts";
import { listSites } from "#lib/features/dashboard/sites.ts";
import { listAlerts } from "#lib/features/pdm/alerts.ts";
import { AlertsInbox } from "../components/alerts-inbox.tsx";
import { Forbidden } from "../components/forbidden.tsx";

export const dynamic = "force-dynamic";

export default async function AlertsPage() {
  const { principal, ok } = await allowed("/alerts", "alerts:read");
  if (!ok) return <Forbidden what="maintenance alerts" />;
  const alerts = (await listAlerts(db(), { sites: principal.sites, status: ["OPEN", "ACKNOWLEDGED"] })).map(alertJson);
  const sites = visibleSites(principal, listSites(await machines())).map((s) => ({ key: s.key, name: s.name, timeZone: s.timeZone }));
  return (
    <>
      <h1>Alerts</h1>
      <div className="sub">Maintenance alerts of your sites; changes arrive live. Acknowledging, assigning and resolving are recorded with your name.</div>
      <AlertsInbox initial={alerts} sites={sites} canAct={can(principal, "alerts:write")} />
    </>
  );
}

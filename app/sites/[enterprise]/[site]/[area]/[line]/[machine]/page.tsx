import { notFound } from "next/navigation";
import { reasonEditsByPath } from "#lib/adapters/db/oee-reasons.ts";
import { siteKey } from "#lib/contract/identity.ts";
import { can } from "#lib/domain/auth/policy.ts";
import { commandJson, listCommands } from "#lib/features/commands/store.ts";
import { commandTypes } from "#lib/features/dashboard/commands-api.ts";
import { db, machines, quest } from "#lib/features/dashboard/context.ts";
import { machineDetail } from "#lib/features/dashboard/machine.ts";
import { allowed } from "#lib/features/dashboard/page-auth.ts";
import { CommandPanel } from "../../../../../../components/command-panel.tsx";
import { Forbidden } from "../../../../../../components/forbidden.tsx";
import { MachinePage } from "../../../../../../components/machine-page.tsx";

export const dynamic = "force-dynamic";

export default async function Machine({
  params,
  searchParams,
}: {
  params: Promise<{ enterprise: string; site: string; area: string; line: string; machine: string }>;
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const p = await params;
  const q = await searchParams;
  const key = siteKey(p);
  const { ok, principal } = await allowed(`/sites/${key}/${p.area}/${p.line}/${p.machine}`, "oee:read", key);
  if (!ok) return <Forbidden what={`site ${key}`} />;
  const m = (await machines()).find(
    (x) => x.enterprise === p.enterprise && x.site === p.site && x.area === p.area && x.line === p.line && x.slug === p.machine,
  );
  if (!m) notFound();
  const detail = await machineDetail(quest(), db(), m, (r) => reasonEditsByPath(db(), r), 24);
  const commands = can(principal, "commands:read", key)
    ? (await listCommands(db(), { sites: principal.sites, machine: m.key, limit: 50 })).map(commandJson)
    : null;
  // a command prepared from an alert: /sites/...?command=request_inspection&alert=<id>
  const alert = q.alert ? detail.alerts.find((a) => a.id === q.alert) : undefined;
  return (
    <>
      <MachinePage detail={detail} canCommand={can(principal, "commands:send", key)} />
      {commands ? (
        <CommandPanel
          machineKey={m.key}
          machineName={m.name}
          timeZone={m.timeZone}
          types={commandTypes(principal)}
          initial={commands}
          prefill={{
            ...(q.command ? { type: q.command } : {}),
            ...(alert ? { alertId: alert.id, note: `${alert.explanation}: ${alert.suggestedAction}` } : {}),
          }}
        />
      ) : null}
    </>
  );
}

import { siteKey } from "#lib/contract/identity.ts";
import { commandJson, listCommands } from "#lib/features/commands/store.ts";
import { db, machines } from "#lib/features/dashboard/context.ts";
import { allowed } from "#lib/features/dashboard/page-auth.ts";
import { CommandTable } from "../../../../components/command-table.tsx";
import { Forbidden } from "../../../../components/forbidden.tsx";

export const dynamic = "force-dynamic";

export default async function SiteCommands({ params }: { params: Promise<{ enterprise: string; site: string }> }) {
  const { enterprise, site } = await params;
  const key = siteKey({ enterprise, site });
  const { principal, ok } = await allowed(`/sites/${key}/commands`, "commands:read", key);
  if (!ok) return <Forbidden what={`the commands of site ${key}`} />;
  const tz = (await machines()).find((m) => m.enterprise === enterprise && m.site === site)?.timeZone ?? "UTC";
  const commands = (await listCommands(db(), { sites: principal.sites, site: key, limit: 500 })).map(commandJson);
  return (
    <>
      <h1>Commands · {site}</h1>
      <div className="sub">
        Every command sent to a machine of <a href={`/sites/${key}`}>{site}</a>, newest first, with each transition (times in {tz}). The full audit trail (who,
        from where) is in the <a href={`/admin/audit?action=command.&site=${site}`}>audit log</a> (admins); the API has it as JSON:{" "}
        <code>/api/v1/sites/{key}/commands</code>.
      </div>
      <div className="card">
        <CommandTable commands={commands} timeZone={tz} showMachine />
      </div>
    </>
  );
}

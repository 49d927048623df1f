import { siteKey } from "#lib/contract/identity.ts";
import { visibleSites } from "#lib/domain/auth/policy.ts";
import { ingestStatus } from "#lib/features/dashboard/ingest-status.ts";
import { allowed } from "#lib/features/dashboard/page-auth.ts";
import { Forbidden } from "../components/forbidden.tsx";
import { IngestBoard } from "../components/ingest-board.tsx";

export const dynamic = "force-dynamic";

export default async function IngestPage() {
  const { principal, ok } = await allowed("/ingest", "ingest:read");
  if (!ok) return <Forbidden what="the live ingest monitor" />;
  const s = await ingestStatus();
  const initial = {
    ...s,
    sites: visibleSites(
      principal,
      s.sites.map((x) => ({ ...x, key: siteKey(x) })),
    ),
  };
  return (
    <>
      <h1>Live ingest</h1>
      <div className="sub">Telemetry arriving over MQTT and stored in QuestDB, per site and machine. Updates every 2 seconds.</div>
      <IngestBoard initial={initial} />
    </>
  );
}

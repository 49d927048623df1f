import { listLossMappings } from "#lib/features/admin/loss-mappings.ts";
import { db } from "#lib/features/dashboard/context.ts";
import { allowed } from "#lib/features/dashboard/page-auth.ts";
import { Forbidden } from "../../components/forbidden.tsx";
import { LossMappingsAdmin } from "../../components/loss-mappings-admin.tsx";

export const dynamic = "force-dynamic";

export default async function LossMappingsPage() {
  const { ok } = await allowed("/admin/loss-mappings", "admin");
  if (!ok) return <Forbidden what="loss mappings" />;
  return (
    <>
      <h1>Loss mappings</h1>
      <div className="sub">
        Which machine state, code or downtime reason counts as which loss (ISO 22400, the six big losses). Versions are never changed: an edit is a new version,
        and every OEE figure names the version that made it. The OEE jobs read the assignments on their next run; the dashboard within 10 s.
      </div>
      <LossMappingsAdmin initial={await listLossMappings(db())} />
    </>
  );
}

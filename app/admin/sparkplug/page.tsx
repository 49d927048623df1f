import { loadMachineKeys } from "#lib/adapters/db/assets.ts";
import { sparkplugMappings } from "#lib/features/admin/sparkplug.ts";
import { db } from "#lib/features/dashboard/context.ts";
import { allowed } from "#lib/features/dashboard/page-auth.ts";
import { Forbidden } from "../../components/forbidden.tsx";
import { SparkplugAdmin } from "../../components/sparkplug-admin.tsx";

export const dynamic = "force-dynamic";

export default async function SparkplugPage() {
  const { ok } = await allowed("/admin/sparkplug", "admin");
  if (!ok) return <Forbidden what="Sparkplug B mappings" />;
  const machines = [...(await loadMachineKeys(db()))].sort();
  return (
    <>
      <h1>Sparkplug B mappings</h1>
      <div className="sub">
        Where each Sparkplug B metric goes: group / edge node / device (empty for the node's own metrics) / metric name → a machine's state, counts, vibration
        or metrics. The ingest worker that is the Sparkplug host (<code>INGEST_SPARKPLUG_GROUPS</code>) takes changes within <code>INGEST_ASSET_REFRESH_S</code>
        ; metrics without a mapping are dead-lettered with the reason. Changes are in the audit log. The rules: docs/mqtt.md, "Sparkplug B host application".
      </div>
      <SparkplugAdmin initial={(await sparkplugMappings(db())).mappings} machines={machines} />
    </>
  );
}

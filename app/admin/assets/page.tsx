import { assetTree } from "#lib/features/admin/assets.ts";
import { db } from "#lib/features/dashboard/context.ts";
import { allowed } from "#lib/features/dashboard/page-auth.ts";
import { AssetsAdmin } from "../../components/assets-admin.tsx";
import { Forbidden } from "../../components/forbidden.tsx";

export const dynamic = "force-dynamic";

export default async function AssetsPage() {
  const { ok } = await allowed("/admin/assets", "admin");
  if (!ok) return <Forbidden what="the asset model" />;
  return (
    <>
      <h1>Asset model</h1>
      <div className="sub">
        Sites, lines and machines as the MQTT topics name them. Changes are audited and reach the workers within their asset refresh (ingest: 30 s) and the
        dashboard within 10 s; OEE already computed is not recomputed.
      </div>
      <AssetsAdmin initial={await assetTree(db())} />
    </>
  );
}

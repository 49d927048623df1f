import { listTokens } from "#lib/features/auth/admin.ts";
import { db } from "#lib/features/dashboard/context.ts";
import { allowed } from "#lib/features/dashboard/page-auth.ts";
import { allSites } from "#lib/features/dashboard/site-list.ts";
import { Forbidden } from "../../components/forbidden.tsx";
import { TokensAdmin } from "../../components/tokens-admin.tsx";

export const dynamic = "force-dynamic";

export default async function TokensPage() {
  const { ok } = await allowed("/admin/tokens", "admin");
  if (!ok) return <Forbidden what="API tokens" />;
  const sites = (await allSites()).map((s) => ({ key: s.key, name: s.name }));
  return (
    <>
      <h1>API tokens</h1>
      <div className="sub">
        For MES, ERP and BI systems calling <a href="/api/v1/openapi.json">/api/v1</a>. A token has a role and sites like a person, a scope (read only, or read
        and act: commands, reasons, alerts as its role allows) and an expiry; only its SHA-256 is stored. Creating and revoking are in the audit log.
      </div>
      <TokensAdmin initial={await listTokens(db())} sites={sites} />
    </>
  );
}

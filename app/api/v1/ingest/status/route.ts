import { siteKey } from "#lib/contract/identity.ts";
import { visibleSites } from "#lib/domain/auth/policy.ts";
import { route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { ingestStatus } from "#lib/features/dashboard/ingest-status.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.ingestStatus, async ({ principal }) => {
  const s = await ingestStatus();
  return {
    ...s,
    sites: visibleSites(
      principal,
      s.sites.map((x) => ({ ...x, key: siteKey(x) })),
    ),
  };
});

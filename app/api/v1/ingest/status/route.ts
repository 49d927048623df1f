import { visibleSites } from "../../../../../lib/auth/policy.ts";
import { route } from "../../../../../lib/web/api.ts";
import { catalog } from "../../../../../lib/web/catalog.ts";
import { ingestStatus } from "../../../../../lib/web/ingest-status.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.ingestStatus, async ({ principal }) => {
  const s = await ingestStatus();
  return {
    ...s,
    sites: visibleSites(
      principal,
      s.sites.map((x) => ({ ...x, key: `${x.enterprise}/${x.site}` })),
    ),
  };
});

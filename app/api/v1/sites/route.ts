import { visibleSites } from "../../../../lib/auth/policy.ts";
import { route } from "../../../../lib/web/api.ts";
import { catalog } from "../../../../lib/web/catalog.ts";
import { machines } from "../../../../lib/web/context.ts";
import { listSites } from "../../../../lib/web/sites.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.sites, async ({ principal }) => ({ sites: visibleSites(principal, await listSites(await machines())) }));

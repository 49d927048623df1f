import { visibleSites } from "../../../../lib/auth/policy.ts";
import { route } from "../../../../lib/web/api.ts";
import { catalog } from "../../../../lib/web/catalog.ts";
import { allSites } from "../../../../lib/web/site-list.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.sites, async ({ principal }) => ({ sites: visibleSites(principal, await allSites()) }));

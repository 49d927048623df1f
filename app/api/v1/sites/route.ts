import { visibleSites } from "#lib/domain/auth/policy.ts";
import { route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { allSites } from "#lib/features/dashboard/site-list.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.sites, async ({ principal }) => ({ sites: visibleSites(principal, await allSites()) }));

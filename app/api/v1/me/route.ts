import { route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.me, async ({ principal: p }) => ({ user: { username: p.name, displayName: p.displayName, role: p.role, sites: p.sites } }));

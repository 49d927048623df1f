import { route } from "../../../../lib/web/api.ts";
import { catalog } from "../../../../lib/web/catalog.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.me, async ({ principal: p }) => ({ user: { username: p.name, displayName: p.displayName, role: p.role, sites: p.sites } }));

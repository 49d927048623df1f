import { revokeToken } from "../../../../../../../lib/auth/admin.ts";
import { route } from "../../../../../../../lib/web/api.ts";
import { catalog } from "../../../../../../../lib/web/catalog.ts";
import { db } from "../../../../../../../lib/web/context.ts";

export const dynamic = "force-dynamic";

export const POST = route(catalog.revokeToken, async ({ principal, origin, params }) => {
  await revokeToken(db(), principal, origin, params.name);
  return { ok: true as const };
});

import { disableUser } from "../../../../../../../lib/auth/admin.ts";
import { route } from "../../../../../../../lib/web/api.ts";
import { catalog } from "../../../../../../../lib/web/catalog.ts";
import { db } from "../../../../../../../lib/web/context.ts";

export const dynamic = "force-dynamic";

export const POST = route(catalog.disableUser, async ({ principal, origin, params }) => {
  await disableUser(db(), principal, origin, params.username);
  return { ok: true };
});

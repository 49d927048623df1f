import { AdminError, disableUser } from "../../../../../../../lib/auth/admin.ts";
import { ApiError, route } from "../../../../../../../lib/web/api.ts";
import { catalog } from "../../../../../../../lib/web/catalog.ts";
import { db } from "../../../../../../../lib/web/context.ts";

export const dynamic = "force-dynamic";

export const POST = route(catalog.disableUser, async ({ principal, origin, params }) => {
  try {
    await disableUser(db(), principal, origin, params.username);
    return { ok: true };
  } catch (e) {
    if (e instanceof AdminError) throw new ApiError(e.code, e.message);
    throw e;
  }
});

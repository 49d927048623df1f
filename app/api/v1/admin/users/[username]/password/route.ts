import { AdminError, resetPassword } from "../../../../../../../lib/auth/admin.ts";
import { ApiError, route } from "../../../../../../../lib/web/api.ts";
import { catalog } from "../../../../../../../lib/web/catalog.ts";
import { db } from "../../../../../../../lib/web/context.ts";

export const dynamic = "force-dynamic";

export const POST = route(catalog.resetPassword, async ({ principal, origin, params }) => {
  try {
    return { username: params.username, password: await resetPassword(db(), principal, origin, params.username) };
  } catch (e) {
    if (e instanceof AdminError) throw new ApiError(e.code, e.message);
    throw e;
  }
});

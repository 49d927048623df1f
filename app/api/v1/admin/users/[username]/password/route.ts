import { resetPassword } from "../../../../../../../lib/auth/admin.ts";
import { route } from "../../../../../../../lib/web/api.ts";
import { catalog } from "../../../../../../../lib/web/catalog.ts";
import { db } from "../../../../../../../lib/web/context.ts";

export const dynamic = "force-dynamic";

export const POST = route(catalog.resetPassword, async ({ principal, origin, params }) => {
  return { username: params.username, password: await resetPassword(db(), principal, origin, params.username) };
});

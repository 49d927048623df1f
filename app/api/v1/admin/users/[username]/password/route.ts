import { resetPassword } from "#lib/features/auth/admin.ts";
import { route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { db } from "#lib/features/dashboard/context.ts";

export const dynamic = "force-dynamic";

export const POST = route(catalog.resetPassword, async ({ principal, origin, params }) => {
  return { username: params.username, password: await resetPassword(db(), principal, origin, params.username) };
});

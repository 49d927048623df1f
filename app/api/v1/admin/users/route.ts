import { addUser, listUsers } from "#lib/features/auth/admin.ts";
import { route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { db } from "#lib/features/dashboard/context.ts";
import { allSites } from "#lib/features/dashboard/site-list.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.users, async () => ({ users: await listUsers(db()) }));

export const POST = route(catalog.createUser, async ({ principal, origin, body }) => {
  const known = (await allSites()).map((s) => s.key);
  const password = await addUser(db(), principal, origin, body, known);
  return { username: body.username, password };
});

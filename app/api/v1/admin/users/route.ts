import { addUser, listUsers } from "../../../../../lib/auth/admin.ts";
import { route } from "../../../../../lib/web/api.ts";
import { catalog } from "../../../../../lib/web/catalog.ts";
import { db, machines } from "../../../../../lib/web/context.ts";
import { listSites } from "../../../../../lib/web/sites.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.users, async () => ({ users: await listUsers(db()) }));

export const POST = route(catalog.createUser, async ({ principal, origin, body }) => {
  const known = listSites(await machines()).map((s) => s.key);
  const password = await addUser(db(), principal, origin, body, known);
  return { username: body.username, password };
});

import { SESSION_COOKIE, signOut } from "../../../../../lib/auth/sessions.ts";
import { cookieValue, route } from "../../../../../lib/web/api.ts";
import { catalog } from "../../../../../lib/web/catalog.ts";
import { db } from "../../../../../lib/web/context.ts";

export const dynamic = "force-dynamic";

export const POST = route(catalog.logout, async ({ req }) => {
  await signOut(db(), cookieValue(req.headers.get("cookie"), SESSION_COOKIE));
  return Response.json(
    { ok: true },
    { headers: { "set-cookie": `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`, "cache-control": "no-store" } },
  );
});

import { stringifySetCookie } from "cookie";
import { SESSION_COOKIE, signOut } from "#lib/features/auth/sessions.ts";
import { cookieValue, route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { db } from "#lib/features/dashboard/context.ts";

export const dynamic = "force-dynamic";

export const POST = route(catalog.logout, async ({ req }) => {
  await signOut(db(), cookieValue(req.headers.get("cookie"), SESSION_COOKIE));
  return Response.json(
    { ok: true },
    {
      headers: {
        "set-cookie": stringifySetCookie({ name: SESSION_COOKIE, value: "", path: "/", httpOnly: true, sameSite: "lax", maxAge: 0 }),
        "cache-control": "no-store",
      },
    },
  );
});

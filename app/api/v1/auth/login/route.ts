import { stringifySetCookie } from "cookie";
import { SESSION_COOKIE, signIn, TooManyAttempts } from "#lib/features/auth/sessions.ts";
import { ApiError, errorResponse, route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { db, loginThrottle } from "#lib/features/dashboard/context.ts";

export const dynamic = "force-dynamic";

export const POST = route(catalog.login, async ({ body, origin, req }) => {
  let s: Awaited<ReturnType<typeof signIn>>;
  try {
    s = await signIn(db(), loginThrottle(), body.username, body.password, origin);
  } catch (e) {
    if (!(e instanceof TooManyAttempts)) throw e;
    const res = errorResponse(new ApiError("rate_limited", e.message));
    res.headers.set("retry-after", String(e.retryAfterS));
    return res;
  }
  if (!s) throw new ApiError("unauthenticated", "wrong user name or password");
  const secure = new URL(req.url).protocol === "https:";
  const cookie = stringifySetCookie({ name: SESSION_COOKIE, value: s.token, path: "/", httpOnly: true, sameSite: "lax", expires: s.expiresAt, secure });
  const p = s.principal;
  return Response.json(
    { user: { username: p.name, displayName: p.displayName, role: p.role, sites: p.sites } },
    { headers: { "set-cookie": cookie, "cache-control": "no-store" } },
  );
});

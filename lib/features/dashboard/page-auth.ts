// The signed-in principal for pages and server components, checked on the server: no session sends
// the visitor to /login; a missing permission renders the forbidden page instead of the content.
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { type Action, can, type Principal } from "#lib/domain/auth/policy.ts";
import { principalFromSession, SESSION_COOKIE } from "#lib/features/auth/sessions.ts";
import { db } from "./context.ts";

export async function currentPrincipal(): Promise<Principal | undefined> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  return principalFromSession(db(), token);
}

/** The principal, or a redirect to /login (back to `from` afterwards). */
export async function requirePrincipal(from: string): Promise<Principal> {
  const p = await currentPrincipal();
  if (!p) redirect(`/login?next=${encodeURIComponent(from)}`);
  return p;
}

export async function allowed(from: string, action: Action, site?: string): Promise<{ principal: Principal; ok: boolean }> {
  const principal = await requirePrincipal(from);
  return { principal, ok: can(principal, action, site) };
}

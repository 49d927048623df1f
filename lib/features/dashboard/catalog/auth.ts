// Signing in and out, and who is signed in.
import { z } from "zod";
import type { RouteSpec } from "#lib/features/dashboard/api.ts";
import { ok, principal } from "./schemas.ts";

export const authRoutes = {
  login: {
    method: "POST",
    path: "/api/v1/auth/login",
    summary: "Sign in; sets the httpOnly session cookie",
    auth: "public",
    body: z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(256) }),
    response: z.object({ user: principal }),
  },
  logout: { method: "POST", path: "/api/v1/auth/logout", summary: "Sign out; ends the session", auth: "signed-in", response: ok },
  me: { method: "GET", path: "/api/v1/me", summary: "Who is signed in", auth: "signed-in", response: z.object({ user: principal }) },
} as const satisfies Record<string, RouteSpec>;

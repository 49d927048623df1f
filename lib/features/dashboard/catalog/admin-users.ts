// Users and API tokens (admin).
import { z } from "zod";
import { ROLES, TOKEN_DAYS, TOKEN_SCOPES } from "#lib/domain/auth/policy.ts";
import type { RouteSpec } from "#lib/features/dashboard/api.ts";
import { ok } from "./schemas.ts";

export const adminUsersRoutes = {
  users: {
    method: "GET",
    path: "/api/v1/admin/users",
    summary: "Every user with role, sites and whether disabled",
    auth: "admin",
    response: z.object({
      users: z.array(
        z.object({
          username: z.string(),
          displayName: z.string(),
          role: z.enum(ROLES),
          sites: z.array(z.string()),
          createdAt: z.string(),
          disabled: z.boolean(),
        }),
      ),
    }),
  },
  createUser: {
    method: "POST",
    path: "/api/v1/admin/users",
    summary: "Create a user; the generated password is in the answer, once",
    auth: "admin",
    body: z.object({
      username: z.string().regex(/^[a-z0-9._-]{2,64}$/, "must be 2-64 of a-z 0-9 . _ -"),
      displayName: z.string().trim().min(1).max(100),
      role: z.enum(ROLES),
      sites: z
        .array(z.string().regex(/^[a-z0-9_-]{1,64}\/[a-z0-9_-]{1,64}$/, "must be ENTERPRISE/SITE"))
        .max(500)
        .default([]),
    }),
    response: z.object({ username: z.string(), password: z.string() }),
  },
  disableUser: {
    method: "POST",
    path: "/api/v1/admin/users/{username}/disable",
    summary: "Disable a user and end their sessions",
    auth: "admin",
    params: z.object({ username: z.string().regex(/^[a-z0-9._-]{2,64}$/) }),
    response: ok,
  },
  resetPassword: {
    method: "POST",
    path: "/api/v1/admin/users/{username}/password",
    summary: "Give a user a new generated password (in the answer, once) and end their sessions",
    auth: "admin",
    params: z.object({ username: z.string().regex(/^[a-z0-9._-]{2,64}$/) }),
    response: z.object({ username: z.string(), password: z.string() }),
  },
  tokens: {
    method: "GET",
    path: "/api/v1/admin/tokens",
    summary: "API tokens (names, roles, sites, revoked or not; never the tokens)",
    auth: "admin",
    response: z.object({
      tokens: z.array(
        z.object({
          name: z.string(),
          role: z.enum(ROLES),
          sites: z.array(z.string()),
          createdBy: z.string(),
          createdAt: z.string(),
          revokedAt: z.string().nullable(),
          scope: z.enum(TOKEN_SCOPES),
          expiresAt: z.string().nullable(),
        }),
      ),
    }),
  },
  createToken: {
    method: "POST",
    path: "/api/v1/admin/tokens",
    summary:
      "Create an API token for an MES, ERP or BI system; the token is in the answer, once. READ_ONLY (default) may only GET; READ_WRITE may also send commands, edit reasons, handle alerts as its role allows. Expires after expiresInDays (default 90, at most 730)",
    auth: "admin",
    body: z.object({
      name: z.string().regex(/^[a-z0-9._-]{2,64}$/, "must be 2-64 of a-z 0-9 . _ -"),
      role: z.enum(ROLES),
      sites: z
        .array(z.string().regex(/^[a-z0-9_-]{1,64}\/[a-z0-9_-]{1,64}$/, "must be ENTERPRISE/SITE"))
        .max(500)
        .default([]),
      scope: z.enum(TOKEN_SCOPES).default("READ_ONLY"),
      expiresInDays: z.number().int().min(TOKEN_DAYS.min).max(TOKEN_DAYS.max).default(TOKEN_DAYS.default),
    }),
    response: z.object({ name: z.string(), token: z.string(), expiresAt: z.string() }),
  },
  revokeToken: {
    method: "POST",
    path: "/api/v1/admin/tokens/{name}/revoke",
    summary: "Revoke an API token (at once: its next request is refused)",
    auth: "admin",
    params: z.object({ name: z.string().regex(/^[a-z0-9._-]{2,64}$/) }),
    response: ok,
  },
} as const satisfies Record<string, RouteSpec>;

// Every /api/v1 route handler is built here from its catalog entry: the caller is authenticated
// (session cookie or `Authorization: Bearer` API token), the action is authorized on the server for
// the site the request is about, input is parsed with the entry's zod schemas, and every error has
// one JSON shape: {"error":{"code","message","details"?}} with a matching HTTP status.
import { createHash } from "node:crypto";
import { parseCookie } from "cookie";
import { LRUCache } from "lru-cache";
import type { z } from "zod";
import { ERROR_STATUS, type ErrorCode, RefusedError } from "#lib/contract/errors.ts";
import { type Action, can, mayChangeState, type Principal } from "#lib/domain/auth/policy.ts";
import { principalFromApiToken, principalFromSession, SESSION_COOKIE } from "#lib/features/auth/sessions.ts";
import { config } from "#lib/platform/config.ts";
import { createLogger } from "#lib/platform/log.ts";
import { clientAddress, PEER_HEADER, type TrustedProxies, trustedProxies } from "./client-address.ts";
import { db } from "./context.ts";
import { forgetShared } from "./shared-read.ts";

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface RouteSpec {
  method: "GET" | "POST";
  /** OpenAPI path, parameters in braces */
  path: string;
  summary: string;
  /** what the caller must be allowed to do; "public" needs no sign-in, "signed-in" any principal */
  auth: Action | "public" | "signed-in";
  /** path parameters ({name} in `path`), parsed from the URL */
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response: z.ZodType;
  /** the "enterprise/site" the request is about, for the access check (from the parsed input) */
  site?: (input: { params: unknown; query: unknown; body: unknown }) => string | undefined;
}

export interface Ctx<S extends RouteSpec> {
  req: Request;
  principal: S["auth"] extends "public" ? Principal | undefined : Principal;
  params: S["params"] extends z.ZodType ? z.infer<S["params"]> : undefined;
  query: S["query"] extends z.ZodType ? z.infer<S["query"]> : undefined;
  body: S["body"] extends z.ZodType ? z.infer<S["body"]> : undefined;
  origin: string | undefined;
}

const log = createLogger("api", process.env.LOG_LEVEL ?? "info");

/** The value of one cookie in a Cookie header (the first of that name). */
export function cookieValue(header: string | null, name: string): string | undefined {
  return parseCookie(header ?? "")[name];
}

// Who a credential is, as read from PostgreSQL in the last 2 s: reads (GET) may use it, every
// state-changing request reads the database, and any such request made through this server clears
// it (a sign-out, a revoked token or a disabled user shows at once here; elsewhere within 2 s).
// At most 5000 credentials are remembered, the least recently used go first.
const PRINCIPAL_TTL_MS = 2000;
const pc = globalThis as unknown as { __andonPrincipalLru?: LRUCache<string, Principal> };
const principals = () => {
  pc.__andonPrincipalLru ??= new LRUCache<string, Principal>({ max: 5000, ttl: PRINCIPAL_TTL_MS });
  return pc.__andonPrincipalLru;
};

/** Forgets every remembered principal (after a change made through this server). */
export const forgetPrincipals = () => principals().clear();

export async function principalOf(req: Request, opts: { fresh?: boolean } = {}): Promise<Principal | undefined> {
  const auth = req.headers.get("authorization");
  const bearer = auth?.startsWith("Bearer ") ? auth.slice(7).trim() : undefined;
  const cookie = bearer ? undefined : cookieValue(req.headers.get("cookie"), SESSION_COOKIE);
  if (!bearer && !cookie) return undefined;
  const key = createHash("sha256")
    .update(bearer ? `t:${bearer}` : `s:${cookie}`)
    .digest("hex");
  const cache = principals();
  const hit = opts.fresh ? undefined : cache.get(key);
  if (hit) return hit;
  const principal = bearer ? await principalFromApiToken(db(), bearer) : await principalFromSession(db(), cookie);
  if (!principal) cache.delete(key);
  else cache.set(key, principal);
  return principal;
}

const tp = globalThis as unknown as { __andonTrustedProxies?: TrustedProxies };
/** The client address (lib/features/dashboard/client-address.ts): the TCP peer, or X-Forwarded-For behind a trusted proxy. */
export function originOf(req: Request): string | undefined {
  tp.__andonTrustedProxies ??= trustedProxies(config().TRUSTED_PROXIES);
  return clientAddress(req.headers.get(PEER_HEADER), req.headers.get("x-forwarded-for"), tp.__andonTrustedProxies);
}

export function errorResponse(e: ApiError): Response {
  return Response.json(
    { error: { code: e.code, message: e.message, ...(e.details !== undefined ? { details: e.details } : {}) } },
    { status: ERROR_STATUS[e.code], headers: { "cache-control": "no-store" } },
  );
}

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const r = schema.safeParse(value);
  if (!r.success) {
    const details = r.error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join("."), message: i.message }));
    throw new ApiError("invalid", details.map((d) => `${d.path}: ${d.message}`).join("; "), details);
  }
  return r.data;
}

/** The values of the {name} segments of a catalog path in a URL path. */
export function pathParams(template: string, pathname: string): Record<string, string> | undefined {
  const names: string[] = [];
  const re = new RegExp(
    `^${template.replace(/\{(\w+)\}/g, (_m, n: string) => {
      names.push(n);
      return "([^/]+)";
    })}$`,
  );
  const m = re.exec(pathname);
  if (!m) return undefined;
  return Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? "")]));
}

/**
 * Cross-site request check for state-changing calls made with the session cookie: a browser sends
 * Origin with every POST, and it must be this server. (SameSite=Lax already keeps the cookie off
 * cross-site POSTs; this is the second lock.) API tokens are not sent by browsers on their own.
 */
function assertSameOrigin(req: Request): void {
  if (req.method === "GET" || req.headers.get("authorization")) return;
  const origin = req.headers.get("origin");
  if (!origin) return;
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  let from: string;
  try {
    from = new URL(origin).host;
  } catch {
    throw new ApiError("forbidden", "bad Origin header");
  }
  if (from !== host) throw new ApiError("forbidden", `cross-site request from ${origin} refused`);
}

/** The route handler for a catalog entry. */
export function route<S extends RouteSpec>(spec: S, fn: (ctx: Ctx<S>) => Promise<unknown>): (req: Request) => Promise<Response> {
  return async (req: Request) => {
    try {
      assertSameOrigin(req);
      const fresh = req.method !== "GET";
      const principal = spec.auth === "public" ? await principalOf(req, { fresh }).catch(() => undefined) : await principalOf(req, { fresh });
      if (spec.auth !== "public" && !principal) throw new ApiError("unauthenticated", "sign in first (session cookie or Authorization: Bearer token)");
      // a read-only API token changes nothing, whatever its role would allow
      if (principal && spec.method !== "GET" && !mayChangeState(principal)) {
        throw new ApiError("forbidden", `${principal.name} is a read-only token: ${spec.method} ${spec.path} is refused`);
      }
      const url = new URL(req.url);
      const params = parse(spec.params, pathParams(spec.path, url.pathname) ?? {}, "path");
      const query = parse(spec.query, Object.fromEntries(url.searchParams), "query");
      let raw: unknown;
      if (spec.body) {
        raw = await req.json().catch(() => {
          throw new ApiError("invalid", "the body is not JSON");
        });
      }
      const body = parse(spec.body, raw, "body");
      if (spec.auth !== "public" && spec.auth !== "signed-in") {
        const site = spec.site?.({ params, query, body });
        if (!can(principal, spec.auth, site)) {
          throw new ApiError("forbidden", site ? `${principal?.name} may not ${spec.auth} on site ${site}` : `${principal?.name} may not ${spec.auth}`);
        }
      }
      let out: unknown;
      try {
        out = await fn({ req, principal, params, query, body, origin: originOf(req) } as Ctx<S>);
      } finally {
        // an admin's change (machines, lines, sites, calendars, mappings) shows at once on this server,
        // also when a later step failed after it was stored
        if (spec.method === "POST" && spec.auth === "admin") forgetShared("assets:");
        // a sign-out, a revoked token, a disabled user or a new role applies at once on this server
        if (spec.method === "POST") forgetPrincipals();
      }
      if (out instanceof Response) return out;
      return Response.json(out, { headers: { "cache-control": "no-store" } });
    } catch (e) {
      if (e instanceof ApiError) return errorResponse(e);
      if (e instanceof RefusedError) return errorResponse(new ApiError(e.code, e.message));
      log.error({ err: (e as Error).message, path: spec.path }, "API request failed");
      return errorResponse(new ApiError("internal", "internal error (logged on the server)"));
    }
  };
}

// The error codes of the API, each with its HTTP status: the one list the route dispatcher
// (lib/features/dashboard/api.ts), the OpenAPI error schema (lib/features/dashboard/catalog/schemas.ts)
// and the services' refusals use. Every API error answers {"error":{"code","message","details"?}}.
export const ERROR_CODES = ["unauthenticated", "forbidden", "invalid", "not_found", "conflict", "rate_limited", "internal"] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const ERROR_STATUS: Record<ErrorCode, number> = {
  unauthenticated: 401,
  forbidden: 403,
  invalid: 400,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  internal: 500,
};

/** The codes a service may refuse a request with (the others belong to the API layer itself). */
export type RefusedCode = Extract<ErrorCode, "not_found" | "forbidden" | "conflict" | "invalid">;

// The one error the services (alerts, commands, admin, assets) throw for a request they refuse.
// The API turns it into its typed JSON error with the matching HTTP status.
export class RefusedError extends Error {
  constructor(
    readonly code: RefusedCode,
    message: string,
  ) {
    super(message);
  }
}

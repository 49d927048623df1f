// The one error the services (alerts, commands, admin, assets) throw for a request they refuse.
// The API (lib/features/dashboard/api.ts) turns it into its typed JSON error with the matching HTTP status.
export type RefusedCode = "not_found" | "forbidden" | "conflict" | "invalid";

export class RefusedError extends Error {
  constructor(
    readonly code: RefusedCode,
    message: string,
  ) {
    super(message);
  }
}

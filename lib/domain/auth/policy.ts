// Who may do what, where. Pure: every route handler, server action and page asks `can` on the
// server with the signed-in principal; the table below is the single source of the rules.

export const ROLES = ["ADMIN", "CORPORATE", "PLANT_MANAGER", "MAINTENANCE"] as const;
export type Role = (typeof ROLES)[number];

export const ACTIONS = {
  /** OEE figures, states, counts and the asset model of a site */
  "oee:read": ["ADMIN", "CORPORATE", "PLANT_MANAGER", "MAINTENANCE"],
  /** assign or split downtime reasons */
  "reasons:write": ["ADMIN", "PLANT_MANAGER"],
  /** maintenance alerts of a site */
  "alerts:read": ["ADMIN", "CORPORATE", "PLANT_MANAGER", "MAINTENANCE"],
  /** acknowledge, assign, resolve alerts */
  "alerts:write": ["ADMIN", "PLANT_MANAGER", "MAINTENANCE"],
  /** commands to machines and their history */
  "commands:read": ["ADMIN", "CORPORATE", "PLANT_MANAGER", "MAINTENANCE"],
  /** send or cancel commands (which types, per role: COMMAND_TYPES in lib/contract/commands.ts) */
  "commands:send": ["ADMIN", "PLANT_MANAGER", "MAINTENANCE"],
  /** the live ingest monitor and dead letters (the whole bus) */
  "ingest:read": ["ADMIN"],
  /** users, tokens, the asset model, the audit log */
  admin: ["ADMIN"],
} as const satisfies Record<string, readonly Role[]>;
export type Action = keyof typeof ACTIONS;

export interface Principal {
  kind: "user" | "token";
  id: string;
  /** user name or token name: what the audit log records */
  name: string;
  displayName: string;
  role: Role;
  /** "enterprise/site" keys, or every site */
  sites: "all" | readonly string[];
  /** API tokens only: READ_ONLY tokens may not change anything, whatever their role allows */
  scope?: TokenScope;
}

export const TOKEN_SCOPES = ["READ_ONLY", "READ_WRITE"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** How long an API token may live: 1 day to 2 years; 90 days unless chosen. */
export const TOKEN_DAYS = { min: 1, max: 730, default: 90 } as const;

/** May the principal change state at all (any POST)? A token must have been given READ_WRITE. */
export const mayChangeState = (p: Principal | undefined): boolean => p !== undefined && (p.kind === "user" || p.scope === "READ_WRITE");

export const siteScope = (role: Role, sites: readonly string[]): Principal["sites"] => (role === "ADMIN" ? "all" : sites);

/**
 * What is wrong with the sites given to a new account or token (`holder`: "a PLANT_MANAGER",
 * "a PLANT_MANAGER token"), or undefined: every site must exist, and only an ADMIN may have none.
 */
export function sitesProblem(role: Role, sites: readonly string[], known: readonly string[], holder: string): string | undefined {
  const unknown = sites.filter((s) => !known.includes(s));
  if (unknown.length) return `body.sites: unknown site ${unknown.join(", ")}`;
  if (role !== "ADMIN" && sites.length === 0) return `body.sites: ${holder} needs at least one site`;
  return undefined;
}

/** The sites stored for an account or token: an ADMIN sees every site, so none are stored. */
export const storedSites = (role: Role, sites: readonly string[]): string[] => (role === "ADMIN" ? [] : [...sites]);

/** May the principal do `action` (on `site`, an "enterprise/site" key, when the action is about one)? */
export function can(p: Principal | undefined, action: Action, site?: string): boolean {
  if (!p) return false;
  if (!(ACTIONS[action] as readonly Role[]).includes(p.role)) return false;
  if (site === undefined) return true;
  return p.sites === "all" || p.sites.includes(site);
}

/** The sites of `all` the principal may see. */
export function visibleSites<T extends { key: string }>(p: Principal, all: readonly T[]): T[] {
  return p.sites === "all" ? [...all] : all.filter((s) => p.sites.includes(s.key));
}

/** Whether the principal's role is one of `roles` (a per-type rule such as who may send a command type). */
export const maySendAny = (p: Principal, roles: readonly Role[]) => roles.includes(p.role);

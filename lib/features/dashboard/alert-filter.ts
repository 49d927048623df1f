// The alerts inbox's filters, read from and written to its URL (`/alerts?state=all&site=acme/pune`), so
// a link shows what its sender saw. Pure: the page (its first list) and the inbox (the URL kept in
// step with the selects) both use it. A value that is not one of the choices is the default.

export const ALERT_STATES = { active: "OPEN,ACKNOWLEDGED", open: "OPEN", resolved: "RESOLVED", cleared: "CLEARED", all: "" } as const;
export type AlertState = keyof typeof ALERT_STATES;
export type AlertSeverityFilter = "" | "CRITICAL" | "WARNING";
export type AlertFilter = { site: string; severity: AlertSeverityFilter; state: AlertState };

export const DEFAULT_ALERT_FILTER: AlertFilter = { site: "", severity: "", state: "active" };

const one = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? "") : (v ?? ""));

/** The filter a URL's query asks for; `siteKeys`: the sites the viewer may see (another is ignored). */
export function alertFilter(query: Record<string, string | string[] | undefined>, siteKeys: readonly string[]): AlertFilter {
  const site = one(query.site);
  const severity = one(query.severity).toUpperCase();
  const state = one(query.state).toLowerCase();
  return {
    site: siteKeys.includes(site) ? site : "",
    severity: severity === "CRITICAL" || severity === "WARNING" ? severity : "",
    state: Object.hasOwn(ALERT_STATES, state) ? (state as AlertState) : "active",
  };
}

/** The query string of a filter ("" for the default), for the inbox's URL. */
export function alertFilterQuery(f: AlertFilter): string {
  const q = new URLSearchParams();
  if (f.state !== DEFAULT_ALERT_FILTER.state) q.set("state", f.state);
  if (f.site) q.set("site", f.site);
  if (f.severity) q.set("severity", f.severity);
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** The statuses a state stands for, as the API's `status` takes them (none: every status). */
export function statusesOf(state: AlertState): string[] | undefined {
  return ALERT_STATES[state] ? ALERT_STATES[state].split(",") : undefined;
}

// The alerts inbox's filters in its URL (lib/features/dashboard/alert-filter.ts).
import { describe, expect, it } from "vitest";
import { alertFilter, alertFilterQuery, DEFAULT_ALERT_FILTER, statusesOf } from "#lib/features/dashboard/alert-filter.ts";

const mine = ["acme/pune", "acme/dresden"];

describe("the alerts inbox's URL filter", () => {
  it("reads state, site and severity, and writes them back as the same query", () => {
    const f = alertFilter({ state: "all", site: "acme/pune", severity: "critical" }, mine);
    expect(f).toEqual({ state: "all", site: "acme/pune", severity: "CRITICAL" });
    expect(alertFilterQuery(f)).toBe("?state=all&site=acme%2Fpune&severity=CRITICAL");
    expect(alertFilter(Object.fromEntries(new URLSearchParams(alertFilterQuery(f).slice(1))), mine)).toEqual(f);
  });
  it("is the default for what is not a choice: an unknown state or severity, a site the reader may not see", () => {
    expect(alertFilter({ state: "bogus", site: "acme/monterrey", severity: "LOW" }, mine)).toEqual(DEFAULT_ALERT_FILTER);
    expect(alertFilter({ state: "toString" }, mine).state).toBe("active");
    expect(alertFilter({}, mine)).toEqual(DEFAULT_ALERT_FILTER);
    expect(alertFilterQuery(DEFAULT_ALERT_FILTER)).toBe("");
  });
  it("takes the first of a repeated parameter", () => {
    expect(alertFilter({ state: ["resolved", "all"] }, mine).state).toBe("resolved");
  });
  it("maps a state to the statuses the API filters on; every state is no filter", () => {
    expect(statusesOf("active")).toEqual(["OPEN", "ACKNOWLEDGED"]);
    expect(statusesOf("cleared")).toEqual(["CLEARED"]);
    expect(statusesOf("all")).toBeUndefined();
  });
});

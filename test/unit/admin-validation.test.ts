// The pure checks behind the admin forms and API: loss-mapping drafts (per-field messages), their diff,
// and the input of new sites, areas and lines (topic-safe slugs, IANA time zones).
import { describe, expect, it } from "vitest";
import { NewArea, NewLine, NewSite } from "#lib/contract/asset-structure.ts";
import { diffMappings, draftErrors, MappingDraft, sortRules } from "#lib/domain/oee/loss-mapping-draft.ts";
import { DEFAULT_MAPPING } from "#lib/domain/oee/mapping.ts";

const base = { microStopThresholdS: 120, startupWindowS: 0, rules: DEFAULT_MAPPING.rules };
const withRules = (...extra: object[]) => ({ ...base, rules: [...DEFAULT_MAPPING.rules, ...extra] });
const n = DEFAULT_MAPPING.rules.length;

describe("loss-mapping draft", () => {
  it("accepts the default mapping, and empty form fields as 'not given'", () => {
    expect(draftErrors(base)).toEqual({});
    const parsed = MappingDraft.parse(withRules({ state: "", code: null, category: 40000, reason: "", loss: "UNPLANNED_STOP" }));
    expect(parsed.rules.at(-1)).toEqual({ category: 40000, loss: "UNPLANNED_STOP" });
  });

  it.each([
    ["a negative micro-stop threshold", { ...base, microStopThresholdS: -5 }, "microStopThresholdS", "must not be negative"],
    ["a negative startup window", { ...base, startupWindowS: -1 }, "startupWindowS", "must not be negative"],
    ["a category not a multiple of 10000", withRules({ category: 40100, loss: "UNPLANNED_STOP" }), `rules.${n}.category`, "positive multiple of 10000"],
    ["a zero category", withRules({ category: 0, loss: "UNPLANNED_STOP" }), `rules.${n}.category`, "positive multiple of 10000"],
    ["the same category twice", withRules({ category: 180000, loss: "UNPLANNED_STOP" }), `rules.${n}.category`, "duplicate rule"],
    [
      "the same state and reason twice",
      withRules({ state: "idle", reason: "no operator", loss: "PLANNED_STOP" }, { state: "idle", reason: "no operator", loss: "UNPLANNED_STOP" }),
      `rules.${n + 1}.state`,
      `as rule ${n + 1}`,
    ],
    ["an unknown state", withRules({ state: "spinning", loss: "BREAKDOWN" }), `rules.${n}.state`, "not a state of the MQTT contract"],
    ["a rule that matches nothing", withRules({ loss: "BREAKDOWN" }), `rules.${n}.state`, "needs a state, a code, a category or a reason"],
    ["a code outside its category", withRules({ code: 40100, category: 50000, loss: "BREAKDOWN" }), `rules.${n}.category`, "could never match"],
    ["an unknown loss", withRules({ category: 40000, loss: "COFFEE" }), `rules.${n}.loss`, "must be one of"],
    ["running not productive", { ...base, rules: DEFAULT_MAPPING.rules.slice(1) }, "rules", "production must map to PRODUCTIVE"],
    ["no rules", { ...base, rules: [] }, "rules", "needs rules"],
  ])("refuses %s, naming the field", (_what, input, field, message) => {
    const errors = draftErrors(input);
    expect(Object.keys(errors)).toContain(field);
    expect(errors[field]).toContain(message);
  });

  it("the same selector with a different reason is not a duplicate", () => {
    expect(draftErrors(withRules({ state: "idle", reason: "a", loss: "PLANNED_STOP" }, { state: "idle", reason: "b", loss: "PLANNED_STOP" }))).toEqual({});
  });

  it("reports every wrong field at once", () => {
    const errors = draftErrors({ ...withRules({ category: 123, loss: "BREAKDOWN" }), microStopThresholdS: -1 });
    expect(Object.keys(errors).sort()).toEqual(["microStopThresholdS", `rules.${n}.category`]);
  });
});

describe("loss-mapping diff", () => {
  it("names settings, added, removed and changed rules by what they match", () => {
    const next = {
      microStopThresholdS: 60,
      startupWindowS: 300,
      rules: [
        ...DEFAULT_MAPPING.rules.filter((r) => r.category !== 110000).map((r) => (r.category === 180000 ? { ...r, loss: "UNPLANNED_STOP" as const } : r)),
        { state: "idle", reason: "no operator", loss: "PLANNED_STOP" as const },
      ],
    };
    const d = diffMappings(DEFAULT_MAPPING, next);
    expect(d.settings).toEqual([
      { field: "microStopThresholdS", from: 120, to: 60 },
      { field: "startupWindowS", from: 0, to: 300 },
    ]);
    expect(d.changed).toEqual([{ rule: "category 180000", from: "BREAKDOWN", to: "UNPLANNED_STOP" }]);
    expect(d.added).toEqual([{ rule: 'state idle + reason "no operator"', loss: "PLANNED_STOP" }]);
    expect(d.removed).toEqual([{ rule: "category 110000", loss: "SETUP_ADJUSTMENT" }]);
    expect(diffMappings(DEFAULT_MAPPING, DEFAULT_MAPPING)).toEqual({ settings: [], added: [], removed: [], changed: [] });
  });

  it("sorts rules by code, the general before the specific", () => {
    const sorted = sortRules([
      { state: "idle", reason: "x", loss: "PLANNED_STOP" },
      { state: "idle", loss: "UNPLANNED_STOP" },
      { category: 10000, loss: "PRODUCTIVE" },
    ]);
    expect(sorted.map((r) => r.loss)).toEqual(["PRODUCTIVE", "UNPLANNED_STOP", "PLANNED_STOP"]);
  });
});

describe("new sites, areas and lines", () => {
  const site = { enterprise: "acme", slug: "lyon", name: "Lyon", timeZone: "Europe/Paris" };
  it("accepts topic-safe slugs and IANA zones", () => {
    expect(NewSite.safeParse(site).success).toBe(true);
    expect(NewArea.safeParse({ site: "acme/lyon", slug: "assembly", name: "Assembly" }).success).toBe(true);
    expect(NewLine.safeParse({ area: "acme/lyon/assembly", slug: "line-1", name: "Line 1", calendarId: null }).success).toBe(true);
  });
  it.each([
    ["an upper-case slug", { ...site, slug: "Lyon" }, "slug"],
    ["a slug with a topic separator", { ...site, slug: "ly/on" }, "slug"],
    ["an MQTT wildcard in the slug", { ...site, slug: "lyon+" }, "slug"],
    ["a slug starting with a dash", { ...site, slug: "-lyon" }, "slug"],
    ["a made-up time zone", { ...site, timeZone: "Europe/Lyon" }, "timeZone"],
    ["a blank name", { ...site, name: "   " }, "name"],
  ])("refuses %s", (_what, input, field) => {
    const r = NewSite.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join("."))).toContain(field);
  });
  it("refuses a line whose area is not ENTERPRISE/SITE/AREA", () => {
    expect(NewLine.safeParse({ area: "acme/lyon", slug: "l1", name: "L1" }).success).toBe(false);
  });
});

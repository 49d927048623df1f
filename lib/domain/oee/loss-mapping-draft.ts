// A new loss-mapping version as an admin drafts it, and how it differs from the one it replaces.
// Pure (zod and the OEE domain only): the browser form and the API check the same rules, and every
// message names the field it is about (`rules.3.category`), so the form can show it next to it.
import { z } from "zod";
import { classify, STATE_CODES } from "./mapping.ts";
import { LOSS_CATEGORIES, type LossCategory, type LossMapping, type MappingRule } from "./types.ts";

const STATE_NAMES = Object.keys(STATE_CODES);
const MAX_S = 86_400;

/** Optional rule fields arrive as absent, null or "" from forms and clients alike: all mean "not given". */
const optional = <T extends z.ZodType>(t: T) => z.preprocess((v) => (v === "" || v === null ? undefined : v), t.optional());

export const RuleDraft = z.object({
  state: optional(z.string().trim()),
  code: optional(z.number().int("a code is a whole number").min(0, "a code is not negative").max(2_147_483_647)),
  category: optional(z.number().int("a category is a whole number").max(2_147_480_000, "a category is at most 2147480000")),
  reason: optional(z.string().trim().min(1).max(100, "at most 100 characters")),
  loss: z.enum(LOSS_CATEGORIES, { error: `must be one of ${LOSS_CATEGORIES.join(", ")}` }),
});
export type RuleDraft = z.infer<typeof RuleDraft>;

const seconds = (what: string) =>
  z
    .number({ error: `${what} must be a number of seconds` })
    .min(0, `${what} must not be negative`)
    .max(MAX_S, `${what} must be at most ${MAX_S} s (a day)`);

/** The part of a mapping an admin edits. */
export const MappingDraftFields = z.object({
  microStopThresholdS: seconds("the micro-stop threshold"),
  startupWindowS: seconds("the startup window"),
  rules: z.array(RuleDraft).min(1, "a mapping needs rules").max(200, "at most 200 rules"),
});

export { versionLabel } from "./mapping.ts";

/** Identity of a rule: what it matches (two rules matching the same thing would make the result depend on their order). */
export const ruleKey = (r: Pick<MappingRule, "state" | "code" | "category" | "reason">) =>
  JSON.stringify([r.state ?? null, r.code ?? null, r.category ?? null, r.reason ?? null]);

/** "state idle + reason "tool change"": what a rule matches, for people. */
export function describeRule(r: Pick<MappingRule, "state" | "code" | "category" | "reason">): string {
  const parts = [
    r.state !== undefined ? `state ${r.state}` : null,
    r.code !== undefined ? `code ${r.code}` : null,
    r.category !== undefined ? `category ${r.category}` : null,
    r.reason !== undefined ? `reason "${r.reason}"` : null,
  ].filter(Boolean);
  return parts.join(" + ") || "(matches nothing)";
}

type Issue = { path: (string | number)[]; message: string };

/** The checks zod's shapes cannot express, each with the field it is about. */
export function mappingIssues(d: z.infer<typeof MappingDraftFields>): Issue[] {
  const issues: Issue[] = [];
  const seen = new Map<string, number>();
  for (const [i, r] of d.rules.entries()) {
    const at = (field: string, message: string) => issues.push({ path: ["rules", i, field], message });
    if (r.state === undefined && r.code === undefined && r.category === undefined && r.reason === undefined) {
      at("state", "a rule needs a state, a code, a category or a reason to match");
      continue;
    }
    if (r.state !== undefined && !STATE_NAMES.includes(r.state))
      at("state", `"${r.state}" is not a state of the MQTT contract (e.g. ${STATE_NAMES.slice(0, 4).join(", ")}; docs/mqtt.md)`);
    if (r.category !== undefined && (r.category <= 0 || r.category % 10000 !== 0))
      at("category", `a category is a positive multiple of 10000 (e.g. 180000), not ${r.category}`);
    else if (r.category !== undefined && r.code !== undefined && Math.floor(r.code / 10000) * 10000 !== r.category) {
      at("category", `code ${r.code} is in category ${Math.floor(r.code / 10000) * 10000}, not ${r.category}: the rule could never match`);
    }
    const key = ruleKey(r);
    const first = seen.get(key);
    if (first !== undefined) {
      const field = r.state !== undefined ? "state" : r.code !== undefined ? "code" : r.category !== undefined ? "category" : "reason";
      at(field, `duplicate rule for the same state/code/category/reason as rule ${first + 1} (${describeRule(r)})`);
    } else seen.set(key, i);
  }
  if (issues.length === 0) {
    const asMapping: LossMapping = { name: "draft", version: 0, microStopThresholdS: d.microStopThresholdS, rules: d.rules };
    const running = classify({ state: "running" }, asMapping);
    if (running !== "PRODUCTIVE") issues.push({ path: ["rules"], message: `running (code 10000) would be ${running}: production must map to PRODUCTIVE` });
  }
  return issues;
}

/** The draft with its cross-field checks, for any zod object that has the draft's fields. */
export function withMappingChecks<T extends z.ZodType<z.infer<typeof MappingDraftFields>>>(schema: T) {
  return schema.superRefine((d, ctx) => {
    for (const i of mappingIssues(d)) ctx.addIssue({ code: "custom", path: i.path, message: i.message });
  });
}

export const MappingDraft = withMappingChecks(MappingDraftFields);
export type MappingDraft = z.infer<typeof MappingDraftFields>;

/** Per-field messages of a draft, keyed "rules.3.category", "microStopThresholdS", ... (empty: valid). */
export function draftErrors(input: unknown): Record<string, string> {
  const r = MappingDraft.safeParse(input);
  if (r.success) return {};
  const out: Record<string, string> = {};
  for (const i of r.error.issues) out[i.path.join(".")] ??= i.message;
  return out;
}

export interface MappingDiff {
  settings: { field: "microStopThresholdS" | "startupWindowS"; from: number; to: number }[];
  added: { rule: string; loss: LossCategory }[];
  removed: { rule: string; loss: LossCategory }[];
  changed: { rule: string; from: LossCategory; to: LossCategory }[];
}

type Comparable = { microStopThresholdS: number; startupWindowS?: number; rules: readonly MappingRule[] };

/** What changed from `prev` to `next`: rules matched by what they match (state, code, category, reason). */
export function diffMappings(prev: Comparable, next: Comparable): MappingDiff {
  const settings: MappingDiff["settings"] = [];
  if (prev.microStopThresholdS !== next.microStopThresholdS)
    settings.push({ field: "microStopThresholdS", from: prev.microStopThresholdS, to: next.microStopThresholdS });
  if ((prev.startupWindowS ?? 0) !== (next.startupWindowS ?? 0))
    settings.push({ field: "startupWindowS", from: prev.startupWindowS ?? 0, to: next.startupWindowS ?? 0 });
  const before = new Map(prev.rules.map((r) => [ruleKey(r), r]));
  const after = new Map(next.rules.map((r) => [ruleKey(r), r]));
  const diff: MappingDiff = { settings, added: [], removed: [], changed: [] };
  for (const [k, r] of after) {
    const old = before.get(k);
    if (!old) diff.added.push({ rule: describeRule(r), loss: r.loss });
    else if (old.loss !== r.loss) diff.changed.push({ rule: describeRule(r), from: old.loss, to: r.loss });
  }
  for (const [k, r] of before) if (!after.has(k)) diff.removed.push({ rule: describeRule(r), loss: r.loss });
  return diff;
}

/** Rules in reading order: by code (category or exact), then the more specific after the general. */
export function sortRules<T extends Pick<MappingRule, "state" | "code" | "category" | "reason">>(rules: readonly T[]): T[] {
  const codeOf = (r: T) =>
    r.category ?? r.code ?? (r.state !== undefined ? (STATE_CODES as Record<string, number>)[r.state] : undefined) ?? Number.MAX_SAFE_INTEGER;
  const rank = (r: T) => (r.reason !== undefined ? 2 : r.category !== undefined ? 0 : 1);
  return [...rules].sort((a, b) => codeOf(a) - codeOf(b) || rank(a) - rank(b) || ruleKey(a).localeCompare(ruleKey(b)));
}

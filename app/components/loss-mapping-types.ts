// The loss mappings as the admin page receives them, and the rule rows of the version editor (every
// field a string while it is typed; empty = the rule does not match on it).
import type { listLossMappings } from "#lib/features/admin/loss-mappings.ts";

export type Data = Awaited<ReturnType<typeof listLossMappings>>;
export type Enterprise = Data["enterprises"][number];
export type Mapping = Enterprise["mappings"][number];
export type Version = Mapping["versions"][number];
export type Rule = Version["rules"][number];
export type RuleRow = { state: string; code: string; category: string; reason: string; loss: string };

export const DAY = 86_400_000;

export const toRow = (r: Rule): RuleRow => ({
  state: r.state ?? "",
  code: r.code === undefined ? "" : String(r.code),
  category: r.category === undefined ? "" : String(r.category),
  reason: r.reason ?? "",
  loss: r.loss,
});

const num = (s: string) => (s.trim() === "" ? undefined : Number(s));

export const fromRow = (r: RuleRow) => ({
  ...(r.state ? { state: r.state } : {}),
  ...(num(r.code) !== undefined ? { code: num(r.code) } : {}),
  ...(num(r.category) !== undefined ? { category: num(r.category) } : {}),
  ...(r.reason.trim() ? { reason: r.reason.trim() } : {}),
  loss: r.loss,
});

/** What the version editor holds: the draft, who gets it, whether OEE is recomputed, and its name. */
export type EditorValues = {
  rows: RuleRow[];
  micro: string;
  startup: string;
  makeDefault: boolean;
  /** machine keys */
  picked: Set<string>;
  recompute: "none" | "from";
  /** a local date, YYYY-MM-DD */
  recomputeDay: string;
  /** save as the next version of this mapping, or as a new mapping (v1) under another name */
  saveAs: "version" | "new";
  newName: string;
};

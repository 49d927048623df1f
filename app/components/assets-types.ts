// The asset tree as the admin page receives it, and its parts, for the components of that page.
import type { assetTree } from "#lib/features/admin/assets.ts";

export type Tree = Awaited<ReturnType<typeof assetTree>>;
export type Site = Tree["sites"][number];
export type Line = Site["lines"][number];
export type Machine = Line["machines"][number];
export type Calendar = Site["calendars"][number];

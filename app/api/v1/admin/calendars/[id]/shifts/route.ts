import { setCalendarShifts } from "#lib/features/admin/assets.ts";
import { route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { db } from "#lib/features/dashboard/context.ts";

export const dynamic = "force-dynamic";

export const POST = route(catalog.setCalendarShifts, async ({ principal, origin, params, body }) => {
  await setCalendarShifts(db(), principal, origin, params.id, body.shifts);
  return { ok: true as const };
});

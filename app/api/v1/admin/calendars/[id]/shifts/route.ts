import { setCalendarShifts } from "../../../../../../../lib/admin/assets.ts";
import { route } from "../../../../../../../lib/web/api.ts";
import { catalog } from "../../../../../../../lib/web/catalog.ts";
import { db } from "../../../../../../../lib/web/context.ts";

export const dynamic = "force-dynamic";

export const POST = route(catalog.setCalendarShifts, async ({ principal, origin, params, body }) => {
  await setCalendarShifts(db(), principal, origin, params.id, body.shifts);
  return { ok: true as const };
});

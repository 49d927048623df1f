import { setLineCalendar } from "../../../../../../../lib/admin/assets.ts";
import { route } from "../../../../../../../lib/web/api.ts";
import { catalog } from "../../../../../../../lib/web/catalog.ts";
import { db } from "../../../../../../../lib/web/context.ts";

export const dynamic = "force-dynamic";

export const POST = route(catalog.setLineCalendar, async ({ principal, origin, params, body }) => {
  await setLineCalendar(db(), principal, origin, params.id, body.calendarId);
  return { ok: true as const };
});

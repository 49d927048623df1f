import { removeSparkplugMapping } from "#lib/features/admin/sparkplug.ts";
import { route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { db } from "#lib/features/dashboard/context.ts";

export const dynamic = "force-dynamic";

export const POST = route(catalog.removeSparkplugMapping, async ({ principal, origin, body }) => {
  await removeSparkplugMapping(db(), principal, origin, body);
  return { ok: true as const };
});

import { connectActivity } from "#lib/features/admin/connect.ts";
import { ApiError, route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { machines, quest } from "#lib/features/dashboard/context.ts";

export const dynamic = "force-dynamic";

const DAY = 86_400_000;

export const GET = route(catalog.connectActivity, async ({ params, query }) => {
  const key = `${params.enterprise}/${params.site}/${params.area}/${params.line}/${params.machine}`;
  const m = (await machines()).find((x) => x.key === key);
  if (!m) throw new ApiError("not_found", `no machine ${key} in the asset model`);
  if (!(query.since > Date.now() - DAY)) throw new ApiError("invalid", "since: at most 1 day ago");
  return connectActivity(quest(), m.path, new Date(query.since));
});

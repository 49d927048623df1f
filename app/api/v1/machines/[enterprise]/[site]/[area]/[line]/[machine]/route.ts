import { reasonEditsByPath } from "#lib/adapters/db/oee-reasons.ts";
import { machineKey } from "#lib/contract/identity.ts";
import { ApiError, route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { db, machines, quest } from "#lib/features/dashboard/context.ts";
import { machineDetail } from "#lib/features/dashboard/machine.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.machine, async ({ params: p, query }) => {
  const m = (await machines()).find(
    (x) => x.enterprise === p.enterprise && x.site === p.site && x.area === p.area && x.line === p.line && x.slug === p.machine,
  );
  if (!m) throw new ApiError("not_found", `no machine ${machineKey(p)}`);
  return machineDetail(quest(), db(), m, (r) => reasonEditsByPath(db(), r), query.hours);
});

import { createDeviceAccount } from "#lib/features/admin/connect.ts";
import { ApiError, route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { db, machines } from "#lib/features/dashboard/context.ts";
import { config } from "#lib/platform/config.ts";

export const dynamic = "force-dynamic";

export const POST = route(catalog.connectAccount, async ({ params, principal, origin }) => {
  const key = `${params.enterprise}/${params.site}/${params.area}/${params.line}/${params.machine}`;
  const fleet = await machines();
  const m = fleet.find((x) => x.key === key);
  if (!m) throw new ApiError("not_found", `no machine ${key} in the asset model`);
  return createDeviceAccount(
    db(),
    config(),
    { name: principal.name, origin },
    m,
    fleet.map((x) => x.path),
  );
});

import { ApiError, route } from "../../../../../../../lib/web/api.ts";
import { catalog } from "../../../../../../../lib/web/catalog.ts";
import { db, machines, quest } from "../../../../../../../lib/web/context.ts";
import { plantView } from "../../../../../../../lib/web/plant.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.plantShift, async ({ params }) => {
  const view = await plantView(db(), quest(), await machines(), params.enterprise, params.site);
  if (!view) throw new ApiError("not_found", `no site ${params.enterprise}/${params.site}`);
  return view;
});

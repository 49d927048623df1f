import { config } from "../../../../../../../lib/config.ts";
import { ApiError, route } from "../../../../../../../lib/web/api.ts";
import { catalog } from "../../../../../../../lib/web/catalog.ts";
import { plantViewKey, sharedPlantView } from "../../../../../../../lib/web/context.ts";
import { sharedJson } from "../../../../../../../lib/web/shared-read.ts";

export const dynamic = "force-dynamic";

// every board and browser on the site asks for the same view: computed and serialized once per WEB_SHARE_MS
export const GET = route(catalog.plantShift, async ({ params: { enterprise, site } }) => {
  if (!(await sharedPlantView(enterprise, site))) throw new ApiError("not_found", `no site ${enterprise}/${site}`);
  return sharedJson(plantViewKey(enterprise, site), config().WEB_SHARE_MS, () => sharedPlantView(enterprise, site));
});

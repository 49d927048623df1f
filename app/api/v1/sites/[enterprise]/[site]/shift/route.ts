import { ApiError, route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { sharedPlantView } from "#lib/features/dashboard/context.ts";

export const dynamic = "force-dynamic";

// every board and browser on the site asks for the same view: computed and serialized once per WEB_SHARE_MS
export const GET = route(catalog.plantShift, async ({ params: { enterprise, site }, query }) => {
  const view = sharedPlantView(enterprise, site);
  const value = await view.value;
  if (!value) throw new ApiError("not_found", `no site ${enterprise}/${site}`);
  // timelines as objects only where asked (the form before 2026-12-05)
  if (query.timeline === "objects") return Response.json(value, { headers: { "cache-control": "no-store" } });
  return view.json();
});

import { route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { plantStreamResponse } from "#lib/features/dashboard/live-routes.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.plantStream, ({ principal, req, params }) => plantStreamResponse(req, principal, params));

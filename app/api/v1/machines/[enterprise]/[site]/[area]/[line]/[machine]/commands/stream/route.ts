import { route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { commandStreamResponse } from "#lib/features/dashboard/live-routes.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.machineCommandStream, async ({ principal, req, params }) => commandStreamResponse(req, principal, params));

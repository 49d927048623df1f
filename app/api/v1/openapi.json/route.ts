import { route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { openApiDocument } from "#lib/features/dashboard/openapi.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.openapi, async () => openApiDocument());

import { route } from "../../../../lib/web/api.ts";
import { catalog } from "../../../../lib/web/catalog.ts";
import { openApiDocument } from "../../../../lib/web/openapi.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.openapi, async () => openApiDocument());

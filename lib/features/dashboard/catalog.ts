// Every /api/v1 endpoint: method, path, who may call it, and the zod schemas of its input and
// output, one file per resource in ./catalog/. Route handlers are built from these entries
// (lib/features/dashboard/api.ts), the OpenAPI document is generated from them
// (lib/features/dashboard/openapi.ts), and the access-control suite enumerates them. The order of
// the parts is the order of the OpenAPI document's paths.

import { adminAssetsRoutes } from "#lib/features/dashboard/catalog/admin-assets.ts";
import { adminSparkplugRoutes } from "#lib/features/dashboard/catalog/admin-sparkplug.ts";
import { adminStructureRoutes } from "#lib/features/dashboard/catalog/admin-structure.ts";
import { adminUsersRoutes } from "#lib/features/dashboard/catalog/admin-users.ts";
import { alertsRoutes } from "#lib/features/dashboard/catalog/alerts.ts";
import { authRoutes } from "#lib/features/dashboard/catalog/auth.ts";
import { commandsRoutes } from "#lib/features/dashboard/catalog/commands.ts";
import { oeeRoutes } from "#lib/features/dashboard/catalog/oee.ts";
import { reasonsRoutes } from "#lib/features/dashboard/catalog/reasons.ts";
import { systemRoutes } from "#lib/features/dashboard/catalog/system.ts";
import type { RouteSpec } from "./api.ts";

export { alertSchema } from "#lib/features/dashboard/catalog/alerts.ts";
export { commandSchema } from "#lib/features/dashboard/catalog/commands.ts";
export { errorSchema } from "#lib/features/dashboard/catalog/schemas.ts";

export const catalog = {
  ...authRoutes,
  ...oeeRoutes,
  ...reasonsRoutes,
  ...alertsRoutes,
  ...commandsRoutes,
  ...adminUsersRoutes,
  ...adminAssetsRoutes,
  ...adminStructureRoutes,
  ...adminSparkplugRoutes,
  ...systemRoutes,
} as const satisfies Record<string, RouteSpec>;

export type CatalogEntry = (typeof catalog)[keyof typeof catalog];

import { siteKey } from "#lib/contract/identity.ts";
import { can } from "#lib/domain/auth/policy.ts";
import { ApiError, route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { reportFor } from "#lib/features/dashboard/context.ts";
import { UnknownPeriod } from "#lib/features/dashboard/shift-report.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.shiftReport, async ({ principal, params: { enterprise, site }, query }) => {
  const key = siteKey({ enterprise, site });
  try {
    const report = await reportFor({ enterprise, site }, query, { alerts: can(principal, "alerts:read", key), commands: can(principal, "commands:read", key) });
    if (!report) throw new ApiError("not_found", `no machines on site ${key}`);
    return report;
  } catch (e) {
    if (e instanceof UnknownPeriod) throw new ApiError("not_found", e.message);
    throw e;
  }
});

import { auditEntries } from "#lib/features/auth/admin.ts";
import { route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { db } from "#lib/features/dashboard/context.ts";
import { csvLine } from "#lib/features/dashboard/csv.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.audit, async ({ query }) => {
  const entries = await auditEntries(db(), query.limit);
  if (query.format === "csv") {
    const lines = [
      "at,actor,origin,action,subject,site,result,details",
      ...entries.map((e) => csvLine([e.at, e.actor, e.origin, e.action, e.subject, e.site, e.result, e.details])),
    ];
    return new Response(`${lines.join("\n")}\n`, {
      headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": 'attachment; filename="andon-audit.csv"' },
    });
  }
  return { entries };
});

import { auditEntries } from "#lib/features/auth/admin.ts";
import { route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { db } from "#lib/features/dashboard/context.ts";
import { csvDocument } from "#lib/features/dashboard/csv.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.audit, async ({ query }) => {
  const entries = await auditEntries(db(), query.limit, { actor: query.actor, action: query.action, site: query.site, subject: query.subject });
  if (query.format === "csv") {
    const header = ["at", "actor", "origin", "action", "subject", "site", "result", "details"];
    const csv = csvDocument(
      header,
      entries.map((e) => [e.at, e.actor, e.origin, e.action, e.subject, e.site, e.result, e.details]),
    );
    return new Response(csv, {
      headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": 'attachment; filename="andon-audit.csv"' },
    });
  }
  return { entries };
});

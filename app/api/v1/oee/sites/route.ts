import { visibleSites } from "../../../../../lib/auth/policy.ts";
import { ApiError, route } from "../../../../../lib/web/api.ts";
import { catalog } from "../../../../../lib/web/catalog.ts";
import { quest } from "../../../../../lib/web/context.ts";
import { figuresCsv, siteFigures } from "../../../../../lib/web/oee-read.ts";
import { allSites } from "../../../../../lib/web/site-list.ts";

export const dynamic = "force-dynamic";

const MAX_SPAN_MS = 400 * 86_400_000;

export const GET = route(catalog.siteOee, async ({ principal, query }) => {
  if (!(query.to > query.from)) throw new ApiError("invalid", "query.to: must be after from");
  if (query.to - query.from > MAX_SPAN_MS) throw new ApiError("invalid", "query.to: at most 400 days after from");
  const sites = visibleSites(principal, await allSites()).filter((s) => !query.site || s.key === query.site);
  if (query.site && sites.length === 0) throw new ApiError("not_found", `no site ${query.site}`);
  const figs = await siteFigures(quest(), sites, {
    granularity: query.granularity,
    from: query.from,
    to: query.to,
    ...(query.last ? { last: query.last } : {}),
    ...(query.days ? { days: { from: query.days.slice(0, 10), to: query.days.slice(12) } } : {}),
  });
  if (query.format === "csv") {
    return new Response(figuresCsv(figs), {
      headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": 'attachment; filename="andon-oee-sites.csv"', "cache-control": "no-store" },
    });
  }
  return { from: new Date(query.from).toISOString(), to: new Date(query.to).toISOString(), granularity: query.granularity, sites: figs };
});

import { visibleSites } from "#lib/domain/auth/policy.ts";
import { ApiError, route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { quest } from "#lib/features/dashboard/context.ts";
import { figuresCsv, overviewBytes, overviewJson, siteFigures } from "#lib/features/dashboard/oee-read.ts";
import { JsonText, shared } from "#lib/features/dashboard/shared-read.ts";
import { allSites } from "#lib/features/dashboard/site-list.ts";
import { config } from "#lib/platform/config.ts";

export const dynamic = "force-dynamic";

const DAY = 86_400_000;
const MAX_SPAN_MS = 400 * DAY;
const MAX_MINUTE_SPAN_MS = 7 * DAY;
const SHARE_SPAN_MS = 32 * DAY;

export const GET = route(catalog.siteOee, async ({ principal, query }) => {
  if (!(query.to > query.from)) throw new ApiError("invalid", "query.to: must be after from");
  if (query.to - query.from > MAX_SPAN_MS) throw new ApiError("invalid", "query.to: at most 400 days after from");
  if (query.granularity === "minute" && query.to - query.from > MAX_MINUTE_SPAN_MS) {
    throw new ApiError("invalid", "query.to: minute buckets for at most 7 days (use hour, shift or day buckets for longer)");
  }
  const sites = visibleSites(principal, await allSites()).filter((s) => !query.site || s.key === query.site);
  if (query.site && sites.length === 0) throw new ApiError("not_found", `no site ${query.site}`);
  // every bucket starts on a whole minute: bounds rounded up to the minute select the same buckets,
  // so callers asking a moment apart share one answer
  const from = Math.ceil(query.from / 60_000) * 60_000;
  const to = Math.ceil(query.to / 60_000) * 60_000;
  // a bucket's 16 time elements only where asked (the CSV has some of them on every line)
  const figures = () =>
    siteFigures(quest(), sites, {
      elements: query.format === "csv" || query.fields === "elements",
      granularity: query.granularity,
      from,
      to,
      ...(query.last ? { last: query.last } : {}),
      ...(query.days ? { days: { from: query.days.slice(0, 10), to: query.days.slice(12) } } : {}),
    });
  if (query.format === "csv") {
    return new Response(figuresCsv(await figures()), {
      headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": 'attachment; filename="andon-oee-sites.csv"', "cache-control": "no-store" },
    });
  }
  // shared by everyone who sees the same sites and asks for the same period (the dashboard's periods,
  // up to a month: a longer one is rarer and larger, computed for its caller alone)
  const key = `overview:${sites.map((s) => s.key).join(",")}:${JSON.stringify({ ...query, from, to })}`;
  // each site's JSON text kept with its figures where they are reused (./overview-cache.ts)
  return shared(
    key,
    to - from <= SHARE_SPAN_MS ? config().WEB_SHARE_MS : 0,
    async () => ({
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      granularity: query.granularity,
      sites: await figures(),
    }),
    (v) =>
      new JsonText(
        () => overviewJson(v),
        () => overviewBytes(v),
      ),
  ).json();
});

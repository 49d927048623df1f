// The two API routes every dashboard screen keeps asking: the overview's figures and the plant board.
// Next.js serves them (app/api/v1/oee/sites/route.ts and .../shift/route.ts export these handlers),
// and so does the dashboard's own Node server before Next.js (DIRECT, used by workers/web.ts through
// ./direct.ts): the same handlers, so the same credential, role and site checks and the same answers.
import { visibleSites } from "#lib/domain/auth/policy.ts";
import { config } from "#lib/platform/config.ts";
import { ApiError, route } from "./api.ts";
import { catalog } from "./catalog.ts";
import { quest, sharedPlantView } from "./context.ts";
import type { DirectRoute } from "./direct.ts";
import { figuresCsv, overviewBytes, overviewJson, siteFigures } from "./oee-read.ts";
import { JsonText, shared } from "./shared-read.ts";
import { allSites } from "./site-list.ts";

const DAY = 86_400_000;
const MAX_SPAN_MS = 400 * DAY;
const MAX_MINUTE_SPAN_MS = 7 * DAY;
const SHARE_SPAN_MS = 32 * DAY;

/** GET /api/v1/oee/sites: every visible site's OEE per bucket (the overview page asks every minute). */
export const siteOeeGet = route(catalog.siteOee, async ({ principal, query }) => {
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

// every board and browser on the site asks for the same view: computed and serialized once per WEB_SHARE_MS
/** GET /api/v1/sites/{enterprise}/{site}/shift: the plant board (every screen on a site asks every 5 s). */
export const plantShiftGet = route(catalog.plantShift, async ({ params: { enterprise, site }, query }) => {
  const view = sharedPlantView(enterprise, site);
  const value = await view.value;
  if (!value) throw new ApiError("not_found", `no site ${enterprise}/${site}`);
  // timelines as objects only where asked (the form before 2026-12-05)
  if (query.timeline === "objects") return Response.json(value, { headers: { "cache-control": "no-store" } });
  return view.json();
});

/** The routes workers/web.ts answers itself (GET only; everything else goes to Next.js). */
export const DIRECT: readonly DirectRoute[] = [
  { path: catalog.siteOee.path, handler: siteOeeGet },
  { path: catalog.plantShift.path, handler: plantShiftGet },
];

import { visibleSites } from "#lib/domain/auth/policy.ts";
import { quest } from "#lib/features/dashboard/context.ts";
import { type SeriesGranularity, siteFigures } from "#lib/features/dashboard/oee-read.ts";
import { allowed } from "#lib/features/dashboard/page-auth.ts";
import { allSites } from "#lib/features/dashboard/site-list.ts";
import { Forbidden } from "./components/forbidden.tsx";
import { SiteComparison } from "./components/site-comparison.tsx";

export const dynamic = "force-dynamic";

const H = 3_600_000;
// days: each site's last N closed local days (a day bucket starts up to 14 h before UTC midnight)
const PERIODS: Record<string, { label: string; granularity: SeriesGranularity; spanMs: number; last?: number }> = {
  "1h": { label: "the last hour", granularity: "minute", spanMs: H },
  "24h": { label: "the last 24 hours", granularity: "hour", spanMs: 24 * H },
  shifts: { label: "the shifts of the last 24 hours", granularity: "shift", spanMs: 24 * H },
  "7d": { label: "the last 7 days", granularity: "day", spanMs: 8 * 24 * H + 14 * H, last: 7 },
  "30d": { label: "the last 30 days", granularity: "day", spanMs: 31 * 24 * H + 14 * H, last: 30 },
};

const TAB: Record<string, string> = { "1h": "1 hour", "24h": "24 hours", shifts: "Shifts", "7d": "7 days", "30d": "30 days" };
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A custom period of site-local days, or why it is not one. */
function customDays(from?: string, to?: string): { from: string; to: string } | string {
  if (!from || !to || !DATE.test(from) || !DATE.test(to) || Number.isNaN(Date.parse(from)) || Number.isNaN(Date.parse(to))) {
    return "Choose a first and a last day.";
  }
  if (from > to) return "The first day must not be after the last day.";
  if (Date.parse(to) - Date.parse(from) > 400 * 24 * H) return "At most 400 days.";
  return { from, to };
}

export default async function Overview({ searchParams }: { searchParams: Promise<{ period?: string; from?: string; to?: string }> }) {
  const { period: asked, from: fromDay, to: toDay } = await searchParams;
  const { principal, ok } = await allowed("/", "oee:read");
  if (!ok) return <Forbidden what="OEE figures" />;
  const custom = asked === "custom" ? customDays(fromDay, toDay) : undefined;
  const period = asked === "custom" || (asked && asked in PERIODS) ? asked : "7d";
  const days = typeof custom === "object" ? custom : undefined;
  const p = days
    ? { label: `the local days ${days.from} to ${days.to}`, granularity: "day" as const, spanMs: 0 }
    : (PERIODS[period === "custom" ? "7d" : period] as (typeof PERIODS)[string]);
  // custom: every site's local days between the dates (a local day starts up to 14 h before or after UTC midnight)
  const to = days ? Math.min(Date.now(), Date.parse(days.to) + 38 * H) : Date.now();
  const from = days ? Date.parse(days.from) - 14 * H : to - p.spanMs;
  const sites = visibleSites(principal, await allSites());
  let figures: Awaited<ReturnType<typeof siteFigures>> = [];
  let error: string | null = typeof custom === "string" ? custom : null;
  if (!error) {
    try {
      figures = await siteFigures(quest(), sites, { granularity: p.granularity, from, to, ...(p.last ? { last: p.last } : {}), ...(days ? { days } : {}) });
    } catch (e) {
      error = `QuestDB did not answer: ${(e as Error).message}`;
    }
  }
  const csv = `/api/v1/oee/sites?granularity=${p.granularity}&from=${from}&to=${to}${p.last ? `&last=${p.last}` : ""}${days ? `&days=${days.from}..${days.to}` : ""}&format=csv`;
  return (
    <>
      <h1>Sites</h1>
      <div className="sub">
        OEE = availability × performance × quality, per ISO 22400-2, for {p.label}. {sites.length} site{sites.length === 1 ? "" : "s"} visible to you.
      </div>
      <nav className="tabs" aria-label="Period">
        {Object.entries(PERIODS).map(([k, v]) => (
          <a key={k} href={`/?period=${k}`} className={k === period ? "active" : ""} aria-current={k === period ? "page" : undefined}>
            {TAB[k]}
            <span className="hidden"> ({v.label})</span>
          </a>
        ))}
        <form method="get" action="/" className={`custom-period ${period === "custom" ? "active" : ""}`} aria-label="Custom period">
          <input type="hidden" name="period" value="custom" />
          <input type="date" name="from" defaultValue={fromDay} aria-label="First day" required />
          <span>to</span>
          <input type="date" name="to" defaultValue={toDay} aria-label="Last day" required />
          <button type="submit" className="link-button">
            Show
          </button>
        </form>
      </nav>
      {error ? <div className="banner">{error}</div> : <SiteComparison sites={figures} granularity={p.granularity} csvHref={csv} periodLabel={p.label} />}
    </>
  );
}

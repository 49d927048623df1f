// OEE figures for the dashboard and the API, read from the roll-up tables (parameterized) and summed
// with the OEE core: a period's figure is the roll-up of its buckets' times and counts, never an
// average of their percentages.
import type pg from "pg";
import { ELEMENT_COLUMNS, type Row, siteRollupRows } from "#lib/adapters/questdb/read-oee.ts";
import { kpisOf } from "#lib/domain/oee/kpis.ts";
import type { Kpis, TimeElements } from "#lib/domain/oee/types.ts";
import { CsvNumber, csvDocument } from "./csv.ts";

export { ELEMENT_COLUMNS };

export interface BucketFigures {
  ts: string;
  end: string;
  label: string;
  elements: TimeElements;
  kpis: Kpis;
  flags: string[];
}

export interface LossSeconds {
  breakdowns: number;
  setups: number;
  smallStops: number;
  reducedSpeed: number;
  rejects: number;
  otherStops: number;
}

export interface SiteFigures {
  key: string;
  name: string;
  timeZone: string;
  totals: { elements: TimeElements; kpis: Kpis; losses: LossSeconds; mappingVersions: string[] };
  series: BucketFigures[];
}

function elementsOf(r: Row): TimeElements {
  const n = (c: string) => Number(r[c] ?? 0);
  const e = Object.fromEntries(Object.entries(ELEMENT_COLUMNS).map(([k, c]) => [k, n(c)])) as unknown as TimeElements;
  e.plannedStopS = e.calendarS - e.plannedBusyS;
  return e;
}

export function sumElements(list: readonly TimeElements[]): TimeElements {
  const keys = Object.keys(ELEMENT_COLUMNS) as (keyof TimeElements)[];
  return Object.fromEntries(keys.map((k) => [k, list.reduce((a, e) => a + e[k], 0)])) as unknown as TimeElements;
}

export function lossSeconds(e: TimeElements): LossSeconds {
  return {
    breakdowns: e.breakdownS,
    setups: e.setupS,
    smallStops: e.smallStopS,
    reducedSpeed: Math.max(0, e.runS - e.smallStopS - e.netRunS),
    rejects: e.netRunS - e.fullyProductiveS,
    otherStops: e.otherStopS,
  };
}

export type SeriesGranularity = "minute" | "hour" | "shift" | "day";

/** Site roll-ups of the given sites in [from, to): per bucket, and summed over the period. */
export async function siteFigures(
  pool: pg.Pool,
  sites: readonly { key: string; name: string; timeZone: string }[],
  q: { granularity: SeriesGranularity; from: number; to: number; last?: number; days?: { from: string; to: string } },
): Promise<SiteFigures[]> {
  if (sites.length === 0) return [];
  const keys = sites.map((s) => s.key);
  const rows = await siteRollupRows(pool, keys, q.granularity, q.from, q.to);
  return sites.map((s) => {
    // the last N buckets of each site (its last N local days, for example), when asked
    // local dates (labels start with the site-local date): each site's own days, whatever its time zone
    const inDays = (r: Row) => !q.days || (String(r.label ?? "").slice(0, 10) >= q.days.from && String(r.label ?? "").slice(0, 10) <= q.days.to);
    const all = rows.filter((r) => r.key === s.key && inDays(r));
    const mine = q.last ? all.slice(-q.last) : all;
    const series = mine.map((r) => {
      const elements = elementsOf(r);
      return {
        ts: (r.ts as Date).toISOString(),
        end: r.bucket_end instanceof Date ? r.bucket_end.toISOString() : (r.ts as Date).toISOString(),
        label: String(r.label ?? ""),
        elements,
        kpis: kpisOf(elements),
        flags: String(r.flags ?? "")
          .split(",")
          .filter(Boolean),
      };
    });
    const elements = sumElements(series.map((b) => b.elements));
    return {
      key: s.key,
      name: s.name,
      timeZone: s.timeZone,
      totals: { elements, kpis: kpisOf(elements), losses: lossSeconds(elements), mappingVersions: [...new Set(mine.map((r) => String(r.mapping_version)))] },
      series,
    };
  });
}

/** The figures as CSV: one line per site and bucket, then one total line per site. */
export function figuresCsv(figs: readonly SiteFigures[]): string {
  const head = "site,bucket_start,bucket_end,label,planned_busy_s,run_s,net_run_s,fully_productive_s,total,good,availability,performance,quality,oee";
  // ratios with 6 decimals (a fixed-point string of a number: not text, never neutralised)
  const f = (v: number | null) => new CsvNumber(v === null ? "" : v.toFixed(6));
  // time elements and counts as they are (a negative figure is a number, not a formula)
  const n = (v: number) => new CsvNumber(String(v));
  const line = (site: string, start: string, end: string, label: string, e: TimeElements, k: Kpis) => [
    site,
    start,
    end,
    label,
    n(e.plannedBusyS),
    n(e.runS),
    n(e.netRunS),
    n(e.fullyProductiveS),
    n(e.total),
    n(e.good),
    f(k.availability),
    f(k.performance),
    f(k.quality),
    f(k.oee),
  ];
  const rows: unknown[][] = [];
  for (const s of figs) {
    for (const b of s.series) rows.push(line(s.key, b.ts, b.end, b.label, b.elements, b.kpis));
    rows.push(line(s.key, s.series[0]?.ts ?? "", s.series.at(-1)?.end ?? "", "TOTAL", s.totals.elements, s.totals.kpis));
  }
  return csvDocument(head.split(","), rows);
}

// OEE figures for the dashboard and the API, read from the roll-up tables (parameterized) and summed
// with the OEE core: a period's figure is the roll-up of its buckets' times and counts, never an
// average of their percentages.
import type pg from "pg";
import { ELEMENT_COLUMNS, type Row, siteRollupRows } from "#lib/adapters/questdb/read-oee.ts";
import { kpisOf } from "#lib/domain/oee/kpis.ts";
import type { Kpis, TimeElements } from "#lib/domain/oee/types.ts";
import { CsvNumber, csvDocument } from "./csv.ts";
import { concatBytes } from "./json-bytes.ts";
import { cacheable, cachedSiteFigures, type FiguresQuery, figuresBytes, figuresJson, type SiteRef } from "./overview-cache.ts";

export type { FiguresQuery };

export { ELEMENT_COLUMNS };

export interface BucketFigures {
  ts: string;
  end: string;
  label: string;
  /** absent where not asked for (the API's `fields=elements`) */
  elements?: TimeElements;
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

/**
 * A figure to the millionth: float noise (0.7791234567891234) would double the size of the answers,
 * and every client pays for it in transfer and parsing. Integers stay as they are.
 */
export const round6 = (v: number): number => (Number.isInteger(v) ? v : Math.round(v * 1e6) / 1e6);

/** A copy of a set of figures (time elements, KPIs) with every number to the millionth (null stays null). */
export function roundFigures<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const k in o) {
    const v = o[k];
    out[k] = typeof v === "number" ? round6(v) : v;
  }
  return out as T;
}

const ELEMENT_ENTRIES = Object.entries(ELEMENT_COLUMNS);

function elementsOf(r: Row): TimeElements {
  const e: Record<string, number> = {};
  for (const [k, c] of ELEMENT_ENTRIES) e[k] = Number(r[c] ?? 0);
  e.plannedStopS = (e.calendarS as number) - (e.plannedBusyS as number);
  return e as unknown as TimeElements;
}

const ELEMENT_KEYS = Object.keys(ELEMENT_COLUMNS) as (keyof TimeElements)[];

export function sumElements(list: readonly TimeElements[]): TimeElements {
  const out = {} as TimeElements;
  for (const k of ELEMENT_KEYS) {
    let sum = 0;
    for (const e of list) sum += e[k];
    out[k] = sum;
  }
  return out;
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

/**
 * Site roll-ups of the given sites in [from, to): per bucket (with its time elements unless
 * `elements` is false), and summed over the period. A site's figures may be the ones this process
 * computed last from the same rows (./overview-cache.ts): shared, not to be changed by the caller.
 */
export async function siteFigures(pool: pg.Pool, sites: readonly SiteRef[], q: FiguresQuery): Promise<SiteFigures[]> {
  if (sites.length === 0) return [];
  if (cacheable(q)) return cachedSiteFigures(pool, sites, q, figuresFromRows);
  return figuresFromRows(pool, sites, q);
}

/** siteFigures computed from the rows as read now (nothing kept). */
export async function figuresFromRows(pool: pg.Pool, sites: readonly SiteRef[], q: FiguresQuery): Promise<SiteFigures[]> {
  if (sites.length === 0) return [];
  const keys = sites.map((s) => s.key);
  const rows = await siteRollupRows(pool, keys, q.granularity, q.from, q.to);
  const bySite = new Map<string, Row[]>();
  for (const r of rows) {
    const k = String(r.key);
    const list = bySite.get(k);
    if (list) list.push(r);
    else bySite.set(k, [r]);
  }
  return sites.map((s) => {
    // the last N buckets of each site (its last N local days, for example), when asked
    // local dates (labels start with the site-local date): each site's own days, whatever its time zone
    const inDays = (r: Row) => !q.days || (String(r.label ?? "").slice(0, 10) >= q.days.from && String(r.label ?? "").slice(0, 10) <= q.days.to);
    const all = (bySite.get(s.key) ?? []).filter(inDays);
    const mine = q.last ? all.slice(-q.last) : all;
    const sums: TimeElements[] = [];
    const series = mine.map((r): BucketFigures => {
      const elements = elementsOf(r);
      sums.push(elements);
      const ts = String(r.ts);
      const flags = String(r.flags ?? "");
      const b: BucketFigures = {
        ts,
        end: r.bucket_end ? String(r.bucket_end) : ts,
        label: String(r.label ?? ""),
        kpis: roundFigures(kpisOf(elements)),
        flags: flags ? flags.split(",").filter(Boolean) : [],
      };
      if (q.elements !== false) b.elements = roundFigures(elements);
      return b;
    });
    const elements = sumElements(sums);
    return {
      key: s.key,
      name: s.name,
      timeZone: s.timeZone,
      totals: {
        elements: roundFigures(elements),
        kpis: roundFigures(kpisOf(elements)),
        losses: roundFigures(lossSeconds(elements)),
        mappingVersions: [...new Set(mine.map((r) => String(r.mapping_version)))],
      },
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
    for (const b of s.series) if (b.elements) rows.push(line(s.key, b.ts, b.end, b.label, b.elements, b.kpis));
    rows.push(line(s.key, s.series[0]?.ts ?? "", s.series.at(-1)?.end ?? "", "TOTAL", s.totals.elements, s.totals.kpis));
  }
  return csvDocument(head.split(","), rows);
}

type Overview = { from: string; to: string; granularity: string; sites: readonly SiteFigures[] };

const overviewHead = (v: Overview) => `${JSON.stringify({ from: v.from, to: v.to, granularity: v.granularity }).slice(0, -1)},"sites":[`;

/** The overview API's answer as JSON text: JSON.stringify of it, each site's part from the text kept with its figures. */
export function overviewJson(v: Overview): string {
  return `${overviewHead(v)}${v.sites.map(figuresJson).join(",")}]}`;
}

/** overviewJson(v) in UTF-8, each site's part from the bytes kept with its figures. */
export function overviewBytes(v: Overview): Uint8Array<ArrayBuffer> {
  return concatBytes([overviewHead(v), ...v.sites.flatMap((s, i) => (i === 0 ? [figuresBytes(s)] : [",", figuresBytes(s)])), "]}"]);
}

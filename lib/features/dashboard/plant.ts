// The plant page's data for one site: the current shift (or the last one), every machine's state now
// and its OEE so far in the shift, line roll-ups, the six big losses, the top downtime reasons and a
// state timeline per machine. OEE so far = the roll-up of the closed minute buckets of the shift
// (exact: minutes add up to the shift); timelines come from the raw state changes with the reasons
// assigned after the fact, classified by the same core as the jobs.

import type pg from "pg";
import type { PrismaClient } from "#lib/adapters/db/client.ts";
import { reasonEditsByPath } from "#lib/adapters/db/oee-reasons.ts";
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { ELEMENT_COLUMNS, siteMinuteSums } from "#lib/adapters/questdb/read-oee.ts";
import { lineKey, machineKey, siteKey } from "#lib/contract/identity.ts";
import { overlapMs, planIntervals } from "#lib/domain/oee/calendar.ts";
import { kpisOf, lossesOf } from "#lib/domain/oee/kpis.ts";
import { DEFAULT_MAPPING } from "#lib/domain/oee/mapping.ts";
import type { Interval, Kpis, LossCategory, TimeElements } from "#lib/domain/oee/types.ts";
import { planOf } from "#lib/features/oee/rollup.ts";
import { round6, roundFigures, sumElements } from "./oee-read.ts";
import { type ShiftWindow, siteShift } from "./plant-shift.ts";
import { readSiteStates, siteStates } from "./plant-states.ts";
import { keptMinuteSums } from "./plant-sums.ts";
import { liveTimeline, machineTimeline, type Segment, stateName } from "./plant-timelines.ts";
import { timelinePrefix } from "./plant-wire.ts";

export { machineTimeline, type Segment, stateName };

export interface MachineView {
  key: string;
  name: string;
  line: string;
  state: string | null;
  since: number | null;
  loss: LossCategory | null;
  kpis: Kpis;
  elements: TimeElements;
  timeline: Segment[];
}

export interface PlantView {
  site: { key: string; name: string; timeZone: string };
  shift: ShiftWindow;
  now: number;
  lines: { key: string; name: string; kpis: Kpis; elements: TimeElements }[];
  machines: MachineView[];
  losses: { name: string; seconds: number }[];
  reasons: { reason: string; seconds: number; stops: number }[];
  /** reasons the site's loss mappings know, to suggest when editing */
  knownReasons: string[];
}

const H = 3_600_000;

const zero = (): TimeElements => sumElements([]);
const ELEMENT_ENTRIES = Object.entries(ELEMENT_COLUMNS) as [keyof TimeElements, string][];

/** What a site's board takes from the asset model: its machines, their lines, the loss mappings' threshold and reasons. */
interface SiteFacts {
  machines: MachineInfo[];
  /** per machine (same order), its line key */
  lineOf: string[];
  lines: { key: string; name: string }[];
  thresholdMs: number;
  knownReasons: string[];
}

// made once per asset model read (./context.ts machines(): the same array until it is read again)
const factsKept = new WeakMap<readonly MachineInfo[], Map<string, SiteFacts | undefined>>();

function siteFacts(fleet: readonly MachineInfo[], enterprise: string, site: string): SiteFacts | undefined {
  let bySite = factsKept.get(fleet);
  if (!bySite) {
    bySite = new Map();
    factsKept.set(fleet, bySite);
  }
  const key = `${enterprise}/${site}`;
  if (bySite.has(key)) return bySite.get(key);
  const machines = fleet.filter((m) => m.enterprise === enterprise && m.site === site);
  const lineOf = machines.map((m) => lineKey(m.path));
  const lines = [...new Set(lineOf)].map((k) => {
    const m = machines[lineOf.indexOf(k)];
    return { key: k, name: m?.lineName ?? m?.line ?? k };
  });
  const mappings = machines.map((m) => m.lossMapping ?? DEFAULT_MAPPING);
  const facts =
    machines.length === 0
      ? undefined
      : {
          machines,
          lineOf,
          lines,
          thresholdMs: Math.max(...mappings.map((m) => m.microStopThresholdS)) * 1000,
          knownReasons: [...new Set(mappings.flatMap((m) => m.rules.flatMap((r) => (r.reason ? [r.reason] : []))))].sort(),
        };
  bySite.set(key, facts);
  return facts;
}

type ReasonTotals = Map<string, { ms: number; stops: number }>;

const STOP_FREE = new Set<LossCategory>(["PRODUCTIVE", "REDUCED_SPEED", "PLANNED_STOP"]);

/** Adds each stop's planned part (a stop outside its machine's planned time is no loss: OEE does not count it either). */
function addReasons(segments: readonly Segment[], planned: readonly Interval[], into: ReasonTotals): ReasonTotals {
  for (const t of segments) {
    if (STOP_FREE.has(t.loss)) continue;
    const ms = overlapMs(t.start, t.end, planned);
    if (ms === 0) continue;
    const r = reasonOf(t);
    const cur = into.get(r);
    if (cur) {
      cur.ms += ms;
      cur.stops += 1;
    } else into.set(r, { ms, stops: 1 });
  }
  return into;
}

// the totals of a kept timeline's segments before its last, made once (./plant-wire.ts timelinePrefix),
// for the planned time they overlap (stable while the window grows: it ends after them)
const prefixReasons = new WeakMap<object, { planned: string; totals: ReasonTotals }>();

/** Adds the stops of a machine's timeline to `into`, per reason (whole milliseconds: exact in any order). */
function timelineReasons(timeline: readonly Segment[], planned: readonly Interval[], into: ReasonTotals): void {
  const prefix = timelinePrefix(timeline);
  if (!prefix) {
    addReasons(timeline, planned, into);
    return;
  }
  const upTo = timeline.at(-2)?.end ?? Number.NEGATIVE_INFINITY;
  const sig = planned
    .filter((i) => i.start < upTo)
    .map((i) => `${i.start}:${Math.min(i.end, upTo)}`)
    .join();
  let kept = prefixReasons.get(prefix);
  if (kept?.planned !== sig) {
    kept = { planned: sig, totals: addReasons(timeline.slice(0, -1), planned, new Map()) };
    prefixReasons.set(prefix, kept);
  }
  for (const [r, x] of kept.totals) {
    const cur = into.get(r);
    if (cur) {
      cur.ms += x.ms;
      cur.stops += x.stops;
    } else into.set(r, { ...x });
  }
  addReasons(timeline.slice(-1), planned, into);
}

/** The ten reasons that stopped the machines longest (seconds, stops), in the order first seen where equal. */
export function topReasons(timelines: readonly (readonly Segment[])[], planned: readonly (readonly Interval[])[]): PlantView["reasons"] {
  const totals: ReasonTotals = new Map();
  for (const [i, t] of timelines.entries()) timelineReasons(t, planned[i] ?? [], totals);
  return [...totals.entries()]
    .map(([reason, x]) => ({ reason, seconds: x.ms / 1000, stops: x.stops }))
    .sort((a, b) => b.seconds - a.seconds)
    .slice(0, 10);
}

// a stop without a reason is listed under its state
const noReason = new Map<string, string>();
const reasonOf = (t: Segment) => {
  if (t.reason !== undefined) return t.reason;
  let r = noReason.get(t.state);
  if (r === undefined) {
    r = `(${t.state}, no reason given)`;
    noReason.set(t.state, r);
  }
  return r;
};

export async function plantView(
  prisma: PrismaClient,
  pool: pg.Pool,
  fleet: readonly MachineInfo[],
  enterprise: string,
  site: string,
  now = Date.now(),
): Promise<PlantView | undefined> {
  const ofSite = fleet.filter((m) => m.enterprise === enterprise && m.site === site);
  if (ofSite.length === 0) return undefined;
  return siteWindowView(prisma, pool, fleet, enterprise, site, siteShift(ofSite, now), now, { live: true });
}

/**
 * The plant board's figures for any window of a site (a shift, a day: the shift report's too): OEE
 * from the closed minute buckets in it, lines, six big losses, top downtime reasons, timelines.
 * `live`: the board's refresh: the site's states, minute sums and timelines kept in this process are extended
 * (./plant-states.ts, ./plant-timelines.ts) instead of read and computed from the start.
 */
export async function siteWindowView(
  prisma: PrismaClient,
  pool: pg.Pool,
  fleet: readonly MachineInfo[],
  enterprise: string,
  site: string,
  shift: PlantView["shift"],
  now = Date.now(),
  opts: { live?: boolean } = {},
): Promise<PlantView | undefined> {
  const facts = siteFacts(fleet, enterprise, site);
  if (!facts) return undefined;
  const { machines, thresholdMs } = facts;
  const first = machines[0] as MachineInfo;
  const until = Math.min(now, shift.end);
  const closedUntil = Math.floor(until / 60_000) * 60_000;
  const lookback = Math.max(thresholdMs, H);
  const read = opts.live ? siteStates : readSiteStates;
  const [sums, events, edits] = await Promise.all([
    (opts.live ? keptMinuteSums : siteMinuteSums)(pool, { enterprise, site }, shift.start, closedUntil),
    // only states: the OEE figures come from the minute buckets
    read(pool, { enterprise, site }, shift.start - lookback, until),
    reasonEditsByPath(prisma, { start: shift.start, end: until }, { enterprise, site }),
  ]);
  const timelineOf = opts.live ? liveTimeline : machineTimeline;
  const byMachine = new Map(sums.map((r) => [machineKey({ enterprise, site, area: String(r.area), line: String(r.line), machine: String(r.machine) }), r]));
  const views: MachineView[] = machines.map((m, i) => {
    const key = m.key;
    const row = byMachine.get(key);
    const elements = zero();
    if (row) {
      for (const [k, c] of ELEMENT_ENTRIES) elements[k] = Number(row[c] ?? 0);
      elements.plannedStopS = elements.calendarS - elements.plannedBusyS;
    }
    const states = events.get(key);
    const timeline = states && until > shift.start ? timelineOf(m, { start: shift.start, end: until }, states, edits.get(key) ?? []) : [];
    const lastEvent = states?.findLast((s) => s.ts <= now);
    const current = lastEvent ? stateName(lastEvent) : null;
    return {
      key,
      name: m.name,
      line: facts.lineOf[i] as string,
      state: current,
      since: lastEvent?.ts ?? null,
      loss: timeline.at(-1)?.loss ?? null,
      kpis: kpisOf(elements),
      elements,
      timeline,
    };
  });
  const lines = facts.lines.map(({ key, name }) => {
    const elements = sumElements(views.filter((v) => v.line === key).map((v) => v.elements));
    return { key, name, kpis: kpisOf(elements), elements };
  });
  const lossTotals = { breakdownsS: 0, setupAdjustmentsS: 0, smallStopsS: 0, reducedSpeedS: 0, startupRejectsS: 0, productionRejectsS: 0, otherStopsS: 0 };
  views.forEach((v, i) => {
    const l = lossesOf(v.elements, machines[i]?.idealCycleTimeS ?? 0);
    for (const k of Object.keys(lossTotals) as (keyof typeof lossTotals)[]) lossTotals[k] += l[k];
  });
  const LOSS_NAMES: Record<keyof typeof lossTotals, string> = {
    breakdownsS: "Breakdowns",
    setupAdjustmentsS: "Setups and adjustments",
    smallStopsS: "Small stops",
    reducedSpeedS: "Reduced speed",
    startupRejectsS: "Startup rejects",
    productionRejectsS: "Production rejects",
    otherStopsS: "Other unplanned stops",
  };
  const losses = (Object.keys(lossTotals) as (keyof typeof lossTotals)[])
    .map((k) => ({ name: LOSS_NAMES[k], seconds: round6(lossTotals[k]) }))
    .sort((a, b) => b.seconds - a.seconds);
  // each machine's stops in its own planned time: a site's lines may keep different calendars
  const window = { start: shift.start, end: until };
  const reasons = topReasons(
    views.map((v) => v.timeline),
    machines.map((m) => planIntervals(planOf(m), window)),
  );
  const knownReasons = facts.knownReasons;
  return {
    site: { key: siteKey({ enterprise, site }), name: first.siteName ?? site, timeZone: first.timeZone },
    shift,
    now,
    // figures to the millionth (./oee-read.ts roundFigures)
    lines: lines.map((l) => ({ ...l, kpis: roundFigures(l.kpis), elements: roundFigures(l.elements) })),
    machines: views.map((v) => ({ ...v, kpis: roundFigures(v.kpis), elements: roundFigures(v.elements) })),
    losses,
    reasons,
    knownReasons,
  };
}

/** The board of a site that has no machines yet (an admin just created it): nothing to show, honestly. */
export function emptyPlantView(site: { key: string; name: string; timeZone: string }, now = Date.now()): PlantView {
  return {
    site,
    shift: { label: "no machines yet", start: now, end: now, current: false },
    now,
    lines: [],
    machines: [],
    losses: [],
    reasons: [],
    knownReasons: [],
  };
}

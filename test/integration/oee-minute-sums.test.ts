// Shifts (and hours) summed from minute rows (lib/features/oee/rollup.ts) on a real QuestDB: equal to
// the shift computed on the raw events and to the OEE core on all the events; a missing or unsettled
// minute makes the shift come from the raw events (never a smaller sum); a late state change
// recomputes every minute it reaches, so the shift summed afterwards is again the core's.
// Rows are made by the ingest's own mapping (mapMessage: state keys, late marks) and written with
// the writer the ingest uses; MQTT is not part of what is tested here.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import type { Row } from "#lib/adapters/questdb/rows.ts";
import { ensureQuestSchema } from "#lib/adapters/questdb/schema.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { QuestWriter } from "#lib/adapters/questdb/writer.ts";
import { type MachineKey, machineKey } from "#lib/contract/identity.ts";
import { type BucketPlace, bucketsOverlapping } from "#lib/domain/oee/buckets.ts";
import { computeOee } from "#lib/domain/oee/compute.ts";
import { DEFAULT_MAPPING } from "#lib/domain/oee/mapping.ts";
import type { CountEvent, LossMapping, OeeResult, StateEvent } from "#lib/domain/oee/types.ts";
import { mapMessage } from "#lib/features/ingest/mapping.ts";
import { handleOeeJob, type OeeJobDeps } from "#lib/features/oee/jobs.ts";
import { type RollupOptions, rollupBuckets } from "#lib/features/oee/rollup.ts";

const env = inject("stack");
const ent = `ms${randomBytes(3).toString("hex")}`;
const MIN = 60_000;
const TZ = "Europe/Berlin";
const SHIFTS = [
  { name: "early", weekdays: [1, 2, 3, 4, 5, 6, 7], start: "06:00", end: "10:00", breaks: [{ name: "lunch", startOffsetMin: 120, durationMin: 15 }] },
];
const MAPPING: LossMapping = { ...DEFAULT_MAPPING, name: "test", startupWindowS: 300 };
const place: BucketPlace = { timeZone: TZ, shifts: SHIFTS };
// the shift of two days ago (closed, settled, within the 30 days an event may be old)
const shift = bucketsOverlapping("shift", place, Date.now() - 3 * 86_400_000, Date.now() - 86_400_000).at(-1)!;
const S = shift.start;

const machines: MachineInfo[] = [0, 1, 2].map((i) => {
  const path = { enterprise: ent, site: "plant", area: "assembly", line: "line-1", machine: `m-${i}` };
  return {
    slug: path.machine,
    name: `Machine ${i}`,
    idealCycleTimeS: 2 + i,
    vibrationGroup: "GROUP_2",
    foundation: "RIGID",
    hasWaveformSensor: false,
    enterprise: ent,
    site: path.site,
    area: path.area,
    line: path.line,
    path,
    key: machineKey(path),
    timeZone: TZ,
    shifts: SHIFTS,
    lossMapping: MAPPING,
  } as MachineInfo;
});

/** Machine i's states: changes only (0), 10 s heartbeats (1), or changes with a reason (2); offsets in minutes from the shift start. */
function statesOf(i: number): StateEvent[] {
  const d = i * 7;
  const changes: [number, string][] = [
    [-30, "running"],
    [20 + d, "equipment_failure"],
    [20 + d + 50 / 60, "running"], // a 50 s micro-stop
    [60 + d, "equipment_failure"],
    [75 + d, "running"], // a 15 min breakdown
    [110 + d, "changeover"],
    [140 + d, "running"], // a changeover across the break, then a restart (startup rejects)
    [200, "idle"],
    [203, "running"],
  ];
  const out: StateEvent[] = [];
  changes.forEach(([at, state], k) => {
    const ts = S + Math.round(at * MIN);
    out.push({ ts, state, ...(i === 2 && state === "equipment_failure" ? { reason: "jam" } : {}) });
    if (i === 1) {
      const next = changes[k + 1] ? S + Math.round(changes[k + 1]![0] * MIN) : S + 250 * MIN;
      for (let t = ts + 10_000; t < next; t += 10_000) out.push({ ts: t, state });
    }
  });
  return out;
}

/** Cumulative samples every minute (machine 1's counter resets half-way), or deltas every 2 min (machine 2). */
function countsOf(i: number): CountEvent[] {
  const out: CountEvent[] = [];
  let total = 5000;
  let reject = 40;
  for (let at = -10; at <= 250; at += i === 2 ? 2 : 1) {
    const ts = S + at * MIN + 500;
    if (i === 2) {
      out.push({ ts, mode: "delta", total: 50, reject: at % 10 === 0 ? 3 : 0 });
      continue;
    }
    total += 25;
    reject += at % 7 === 0 ? 1 : 0;
    if (i === 1 && at === 120) {
      total = 3;
      reject = 0;
    }
    out.push({ ts, mode: "cumulative", total, reject });
  }
  return out;
}

const events = machines.map((_m, i) => ({ states: statesOf(i), counts: countsOf(i) }));
const pool = questPool(env.QUESTDB_PG_URL, env.QUESTDB_PG_PASSWORD, 6);
const writer = new QuestWriter({ httpUrl: env.QUESTDB_HTTP_URL });
const deps: OeeJobDeps = {
  pool,
  writer,
  machines,
  watermark: { get: async () => undefined, set: async () => undefined },
};

/** The rows the ingest writes for these events, as if received at `receivedMs` (late marks when older than 60 s). */
function ingestRows(i: number, list: { states?: StateEvent[]; counts?: CountEvent[] }, receivedMs: (ts: number) => number): Row[] {
  const m = machines[i]!;
  const ctx = (ts: number) => ({
    nowMicros: receivedMs(ts) * 1000,
    maxFutureMicros: 60_000_000,
    maxAgeMicros: 31 * 86_400_000_000,
    isKnownMachine: () => true,
    worker: "test",
  });
  const rows: Row[] = [];
  const add = (channel: string, ts: number, body: object) => {
    const r = mapMessage(`${m.key}/${channel}`, new TextEncoder().encode(JSON.stringify({ v: 1, ...body, ts: new Date(ts).toISOString() })), ctx(ts));
    if (!r.ok) throw new Error(r.reason);
    rows.push(...r.rows);
  };
  for (const s of list.states ?? []) add("state", s.ts, s);
  for (const c of list.counts ?? []) add("counts", c.ts, c);
  return rows;
}

function core(i: number, extra: StateEvent[] = [], idealCycleTimeS = machines[i]!.idealCycleTimeS): OeeResult {
  return computeOee({
    window: { start: shift.start, end: shift.end },
    idealCycleTimeS,
    plan: { kind: "calendar", timeZone: TZ, shifts: SHIFTS },
    mapping: MAPPING,
    states: [...events[i]!.states, ...extra],
    counts: events[i]!.counts,
  });
}

function expectSame(got: OeeResult | undefined, want: OeeResult) {
  expect(got).toBeDefined();
  for (const k of Object.keys(want.elements) as (keyof OeeResult["elements"])[]) expect(got!.elements[k], k).toBeCloseTo(want.elements[k], 6);
  for (const k of Object.keys(want.losses) as (keyof OeeResult["losses"])[]) expect(got!.losses[k], k).toBeCloseTo(want.losses[k], 6);
  for (const k of Object.keys(want.kpis) as (keyof OeeResult["kpis"])[]) {
    if (want.kpis[k] === null) expect(got!.kpis[k], k).toBeNull();
    else expect(got!.kpis[k], k).toBeCloseTo(want.kpis[k]!, 9);
  }
  expect(new Set(got!.flags)).toEqual(new Set(want.flags));
  expect(got!.mappingVersion).toBe(want.mappingVersion);
}

const minutesIn = (from: number, to: number) => (p: BucketPlace) => bucketsOverlapping("minute", p, from, to);
const theShift = (p: BucketPlace) => bucketsOverlapping("shift", p, shift.start, shift.end).filter((b) => b.start === shift.start);

async function shiftResults(opts: RollupOptions = {}, fleet = machines) {
  let results = new Map<MachineKey, Map<number, OeeResult>>();
  const stats = await rollupBuckets({ ...deps, machines: fleet }, "shift", theShift, {
    ...opts,
    onResults: (r) => {
      results = r;
    },
  });
  await waitWalApplied(pool, [TABLES.oeeMachine, TABLES.oeeRollup]);
  return { stats, of: (i: number) => results.get(machines[i]!.key)?.get(shift.start) };
}

async function minuteRow(i: number, ts: number) {
  const { rows } = await pool.query(`SELECT * FROM ${TABLES.oeeMachine} WHERE enterprise = $1 AND machine = $2 AND granularity = 'minute' AND ts = $3`, [
    ent,
    machines[i]!.slug,
    new Date(ts).toISOString(),
  ]);
  expect(rows).toHaveLength(1);
  return rows[0];
}

beforeAll(async () => {
  await ensureQuestSchema(env.QUESTDB_HTTP_URL);
  // received on time (a second after each event): no late marks
  for (const [i, e] of events.entries()) await writer.write(ingestRows(i, e, (ts) => ts + 1000));
  await waitWalApplied(pool, [TABLES.state, TABLES.counts, TABLES.oeeLate]);
}, 60_000);

afterAll(async () => {
  await writer.close();
  await pool.end();
});

describe("hours, shifts and days summed from minute rows", () => {
  it("a missing or unsettled minute makes the shift come from the raw events; with all minutes settled it is summed, equal to the raw events and the core", async () => {
    expect(core(1).flags).toContain("counter_reset");
    expect(core(0).elements.startupReject).toBeGreaterThan(0);
    expect(core(0).elements.failures).toBe(1);

    // the minute job has not reached the last 10 minutes yet
    await rollupBuckets(deps, "minute", minutesIn(S - 5 * MIN, shift.end - 10 * MIN));
    const missing = await shiftResults();
    expect(missing.stats.sources).toEqual({ minutes: 0, raw: 3, why: { minutes_missing: 3 } });
    for (const i of [0, 1, 2]) expectSame(missing.of(i), core(i));

    // the last minutes computed 30 s after they ended: a stop starting then may still become a small stop
    await rollupBuckets({ ...deps, now: () => shift.end + 30_000 }, "minute", minutesIn(shift.end - 10 * MIN, shift.end));
    const unsettled = await shiftResults();
    expect(unsettled.stats.sources).toEqual({ minutes: 0, raw: 3, why: { minutes_unsettled: 3 } });
    for (const i of [0, 1, 2]) expectSame(unsettled.of(i), core(i));

    // computed again later (as the minute job's look-back does): summed
    await rollupBuckets(deps, "minute", minutesIn(shift.end - 10 * MIN, shift.end + 5 * MIN));
    const summed = await shiftResults();
    expect(summed.stats.sources).toEqual({ minutes: 3, raw: 0, why: {} });
    const raw = await shiftResults({ source: "raw", write: false });
    expect(raw.stats.sources.raw).toBe(3);
    for (const i of [0, 1, 2]) {
      expectSame(summed.of(i), core(i));
      expectSame(raw.of(i), core(i));
    }
    // a changed ideal cycle time not recomputed yet: that machine from its own raw events, the others summed
    const changed = machines.map((m, i) => (i === 2 ? { ...m, idealCycleTimeS: 9 } : m));
    const mixed = await shiftResults({ write: false }, changed);
    expect(mixed.stats.sources).toEqual({ minutes: 2, raw: 1, why: { ideal_cycle_changed: 1 } });
    expectSame(mixed.of(2), core(2, [], 9));
    expectSame(mixed.of(0), core(0));
    // and the written row is the summed result
    const { rows } = await pool.query(`SELECT * FROM ${TABLES.oeeMachine} WHERE enterprise = $1 AND machine = 'm-1' AND granularity = 'shift'`, [ent]);
    expect(rows).toHaveLength(1);
    expect(rows[0].planned_busy_s).toBeCloseTo(core(1).elements.plannedBusyS, 6);
    expect(Number(rows[0].total)).toBe(core(1).elements.total);
    expect(rows[0].flags).toContain("counter_reset");
  });

  it("a late state change recomputes every minute it reaches; the shift summed afterwards is the core's with it", async () => {
    // machine 0 publishes changes only: a late "material_issue" 30 min after its restart lasts, in the
    // data, until the next change (idle at +200 min), far past the minute it arrived for
    const late: StateEvent[] = [{ ts: S + 170 * MIN + 5_000, state: "material_issue" }];
    const before = await minuteRow(0, S + 190 * MIN);
    expect(core(0, late).elements.otherStopS).toBeGreaterThan(core(0).elements.otherStopS + 25 * 60);
    await writer.write(ingestRows(0, { states: late }, () => Date.now()));
    await waitWalApplied(pool, [TABLES.state, TABLES.oeeLate]);

    const result = await handleOeeJob({ kind: "late" }, async () => deps);
    expect(result.touched).toBe(1);
    // the hours and the shift summed from the recomputed minutes; the local day has no minute rows
    // before the shift in this test, so it comes from the raw events
    expect(result.sources?.why).toEqual({ minutes_missing: 3 });
    expect(result.sources?.minutes).toBeGreaterThanOrEqual(3 * 2);

    // 20 minutes after the late event's own minute: recomputed, now an unplanned stop
    const after = await minuteRow(0, S + 190 * MIN);
    expect(new Date(after.computed_at).getTime()).toBeGreaterThan(new Date(before.computed_at).getTime());
    expect(before.other_stop_s).toBe(0);
    expect(after.other_stop_s).toBeCloseTo(60, 6);
    // a minute before what it reaches was left alone
    const untouched = await minuteRow(0, S + 100 * MIN);
    expect(new Date(untouched.computed_at).getTime()).toBeLessThan(new Date(after.computed_at).getTime());

    const { rows } = await pool.query(`SELECT * FROM ${TABLES.oeeMachine} WHERE enterprise = $1 AND machine = 'm-0' AND granularity = 'shift'`, [ent]);
    expect(rows).toHaveLength(1);
    const want = core(0, late);
    expect(rows[0].other_stop_s).toBeCloseTo(want.elements.otherStopS, 6);
    expect(rows[0].run_s).toBeCloseTo(want.elements.runS, 6);
    expect(rows[0].small_stop_s).toBeCloseTo(want.elements.smallStopS, 6);
    expect(Number(rows[0].total)).toBe(want.elements.total);
    expect(Number(rows[0].startup_reject)).toBe(want.elements.startupReject);
    expect(rows[0].oee).toBeCloseTo(want.kpis.oee!, 9);
    // and the raw events say the same
    events[0]!.states.push(...late);
    const raw = await shiftResults({ source: "raw", write: false });
    expectSame(raw.of(0), want);
  });
});

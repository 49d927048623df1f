// Telemetry through MQTT and the ingest worker into QuestDB, then the BullMQ roll-up jobs: the numbers
// they write equal the OEE core's on the same raw events (1 Hz-style heartbeats and a counter reset
// included), a re-run changes nothing, late data and a corrected downtime reason recompute exactly
// the buckets they touch, and the job schedulers are upserted, not duplicated.
import { randomBytes } from "node:crypto";
import { type Job, QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadMachineKeys } from "#lib/adapters/db/assets.ts";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { reasonEditsByPath } from "#lib/adapters/db/oee-reasons.ts";
import { loadMachines, type MachineInfo } from "#lib/adapters/db/plant.ts";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { QuestWriter } from "#lib/adapters/questdb/writer.ts";
import { enqueueRecompute, oeeQueue, upsertOeeSchedulers } from "#lib/adapters/queues/oee.ts";
import { computeOee, rollup } from "#lib/domain/oee/compute.ts";
import type { CountEvent, LossMapping, OeeResult, ReasonEdit, StateEvent } from "#lib/domain/oee/types.ts";
import { type IngestWorker, startIngestWorker } from "#lib/features/ingest/worker.ts";
import { oeeWorker } from "#lib/features/oee/jobs.ts";
import { assignReason, ReasonEditError } from "#lib/features/oee/reasons.ts";
import { waitFor } from "#lib/features/stack/net.ts";
import { createLogger } from "#lib/platform/log.ts";
import { seedTestPlant, testConfig, testPlant } from "../support/stack.ts";

const env = inject("stack");
const ent = `tj${randomBytes(3).toString("hex")}`;
const plant = testPlant(ent, 2);
// a reason rule, so that a corrected reason changes the numbers
plant.lossMapping = { ...plant.lossMapping!, name: "test", rules: [...plant.lossMapping!.rules, { reason: "planned-maintenance", loss: "PLANNED_STOP" }] };
const site = plant.sites[0]!;
site.calendars = site.calendars.map((c) => ({ ...c, shifts: [] })); // the whole hour is planned
const area = site.areas[0]!;
const line = area.lines[0]!;
const machines = line.machines.map((m) => ({
  path: { enterprise: ent, site: site.slug, area: area.slug, line: line.slug, machine: m.slug },
  key: `${ent}/${site.slug}/${area.slug}/${line.slug}/${m.slug}`,
  slug: m.slug,
}));
const MIN = 60_000;
const HOUR = 3_600_000;
const H = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR; // a closed hour two hours ago
const pool = questPool(env.QUESTDB_PG_URL, env.QUESTDB_PG_PASSWORD);
const prefix = `{andon-test-${ent}}`;
const connection = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
const writer = new QuestWriter({ httpUrl: env.QUESTDB_HTTP_URL });
const prisma = prismaFor(env.DATABASE_URL);
let ingest: IngestWorker;
let fleet: MachineInfo[];
let worker: ReturnType<typeof oeeWorker>;
let queueEvents: QueueEvents;
const queue = oeeQueue(connection, prefix);
let watermarkMs: number | undefined;

// machine 0: a breakdown published as a heartbeat every 10 s, a micro-stop, delta counts;
// machine 1: the same states, a cumulative counter sampled every minute that resets at minute 30
const beats = (from: number, to: number, e: Omit<StateEvent, "ts">) =>
  Array.from({ length: Math.ceil((to - from) / 10_000) }, (_, i) => ({ ts: from + i * 10_000, ...e }));
const states = (k: number): StateEvent[] => [
  { ts: H - MIN, state: "running" },
  ...beats(H + (10 + k) * MIN, H + (25 + k) * MIN, { state: "equipment_failure", reason: "jam" }),
  { ts: H + (25 + k) * MIN, state: "running" },
  { ts: H + 40 * MIN, state: "idle" },
  { ts: H + 40 * MIN + 30_000, state: "running" },
];
const cumulative: CountEvent[] = Array.from({ length: 61 }, (_, i) => {
  const total = i < 30 ? 1000 + 2 * i : 2 * (i - 30); // reset to 0 at minute 30
  return { ts: H - MIN + i * MIN, mode: "cumulative", total, reject: Math.floor(total / 50) };
});
const events = machines.map((_m, k) => ({
  states: states(k),
  counts:
    k === 1
      ? cumulative
      : ([
          { ts: H + 5 * MIN, mode: "delta", total: 40, reject: 1 },
          { ts: H + 30 * MIN, mode: "delta", total: 25, reject: 0 },
          { ts: H + 59 * MIN, mode: "delta", total: 30, reject: 2 },
        ] as CountEvent[]),
}));

async function publish(k: number, list: { states?: StateEvent[]; counts?: CountEvent[] }) {
  const m = machines[k]!;
  const pub = await mqtt.connectAsync(env.MQTT_URL, { protocolVersion: 5 });
  for (const s of list.states ?? []) await pub.publishAsync(`${m.key}/state`, JSON.stringify({ v: 1, ...s, ts: new Date(s.ts).toISOString() }), { qos: 1 });
  for (const c of list.counts ?? []) await pub.publishAsync(`${m.key}/counts`, JSON.stringify({ v: 1, ...c, ts: new Date(c.ts).toISOString() }), { qos: 1 });
  await pub.endAsync();
}

const stateCount = async () => Number((await pool.query(`SELECT count() n FROM ${TABLES.state} WHERE enterprise = $1`, [ent])).rows[0]?.n);

beforeAll(async () => {
  await seedTestPlant(env.DATABASE_URL, plant);
  fleet = (await loadMachines(prisma)).filter((m) => m.enterprise === ent);
  ingest = await startIngestWorker({
    config: testConfig(env, { INGEST_CLIENT_ID: `oee-${ent}`, INGEST_ENTERPRISE: ent, INGEST_FLUSH_MS: "50" }),
    log: createLogger("oee-test", "warn"),
    loadMachineKeys: () => loadMachineKeys(prisma),
  });
  for (const k of machines.keys()) await publish(k, events[k]!);
  const expected = events.reduce((s, e) => s + e.states.length, 0);
  await waitFor("telemetry in QuestDB", async () => (await stateCount()) >= expected, 30_000);
  await waitWalApplied(pool, [TABLES.state, TABLES.counts, TABLES.oeeLate]);
  queueEvents = new QueueEvents("oee", { connection: new Redis(env.REDIS_URL, { maxRetriesPerRequest: null }), prefix });
  await queueEvents.waitUntilReady();
  worker = oeeWorker(
    connection,
    async () => ({
      pool,
      writer,
      machines: fleet,
      reasonEdits: (range) => reasonEditsByPath(prisma, range),
      watermark: {
        get: async () => watermarkMs,
        set: async (ms) => {
          watermarkMs = ms;
        },
      },
    }),
    prefix,
  );
}, 90_000);

afterAll(async () => {
  await worker?.close();
  await queueEvents?.close();
  await ingest?.stop();
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  connection.disconnect();
  await writer.close();
  await pool.end();
});

async function finished(job: Job) {
  const r = await job.waitUntilFinished(queueEvents, 60_000);
  await waitWalApplied(pool, [TABLES.oeeMachine, TABLES.oeeRollup]);
  return r;
}

const mapping = (): LossMapping => fleet[0]!.lossMapping!;
const coreHour = (k: number, extra: { states?: StateEvent[]; reasonEdits?: ReasonEdit[] } = {}): OeeResult =>
  computeOee({
    window: { start: H, end: H + HOUR },
    idealCycleTimeS: fleet.find((m) => m.slug === machines[k]!.slug)!.idealCycleTimeS,
    plan: { kind: "window" },
    mapping: mapping(),
    states: [...events[k]!.states, ...(extra.states ?? [])],
    counts: events[k]!.counts,
    reasonEdits: extra.reasonEdits ?? [],
  });

async function hourRow(k: number) {
  const { rows } = await pool.query(
    `SELECT * FROM ${TABLES.oeeMachine} WHERE enterprise = $1 AND line = $2 AND machine = $3 AND granularity = 'hour' AND ts = $4`,
    [ent, line.slug, machines[k]!.slug, new Date(H).toISOString()],
  );
  expect(rows).toHaveLength(1);
  return rows[0];
}

function expectRowEquals(row: Record<string, unknown>, e: OeeResult) {
  expect(row.planned_busy_s).toBeCloseTo(e.elements.plannedBusyS, 6);
  expect(row.run_s).toBeCloseTo(e.elements.runS, 6);
  expect(row.breakdown_s).toBeCloseTo(e.elements.breakdownS, 6);
  expect(row.other_stop_s).toBeCloseTo(e.elements.otherStopS, 6);
  expect(row.small_stop_s).toBeCloseTo(e.elements.smallStopS, 6);
  expect(Number(row.total)).toBe(e.elements.total);
  expect(Number(row.good)).toBe(e.elements.good);
  expect(Number(row.failures)).toBe(e.elements.failures);
  expect(row.oee).toBeCloseTo(e.kpis.oee!, 9);
  expect(row.mapping_version).toBe(e.mappingVersion);
}

describe("OEE roll-up jobs", () => {
  it("write per-machine and line OEE equal to the core's numbers on the raw events; a re-run changes nothing", async () => {
    // ten minutes before the first event too, to have buckets that late data will not reach
    const result = await finished(await enqueueRecompute(queue, [{ from: H - 10 * MIN, to: H + HOUR + 10 * MIN }]));
    expect(result).toMatchObject({ kind: "recompute" });
    const expected = machines.map((_m, k) => coreHour(k));
    for (const k of machines.keys()) {
      const row = await hourRow(k);
      expect(new Date(row.ts).getTime()).toBe(H);
      expect(new Date(row.bucket_end).getTime()).toBe(H + HOUR);
      expectRowEquals(row, expected[k]!);
    }
    // sanity on the fixture: one 15 min breakdown (heartbeats are not new stops), one 30 s micro-stop, the reset counted
    expect(expected[0]!.elements).toMatchObject({ breakdownS: 15 * 60, smallStopS: 30, failures: 1, total: 95 });
    expect(expected[1]!.elements.total).toBe(2 * 29 + 2 * 30);
    expect(expected[1]!.flags).toContain("counter_reset");

    const lineKey = `${ent}/${site.slug}/${area.slug}/${line.slug}`;
    const { rows: up } = await pool.query(`SELECT * FROM ${TABLES.oeeRollup} WHERE key = $1 AND level = 'line' AND granularity = 'hour' AND ts = $2`, [
      lineKey,
      new Date(H).toISOString(),
    ]);
    expect(up).toHaveLength(1);
    expect(up[0].oee).toBeCloseTo(rollup(expected).kpis.oee!, 9);
    // the 60 minute buckets add up to the hour
    const { rows: minutes } = await pool.query(
      `SELECT count() n, sum(run_s) run_s, sum(total) total FROM ${TABLES.oeeMachine} WHERE enterprise = $1 AND line = '${line.slug}' AND machine = $2 AND granularity = 'minute' AND ts >= $3 AND ts < $4`,
      [ent, machines[1]!.slug, new Date(H).toISOString(), new Date(H + HOUR).toISOString()],
    );
    expect(Number(minutes[0].n)).toBe(60);
    expect(minutes[0].run_s).toBeCloseTo(expected[1]!.elements.runS, 6);
    expect(Number(minutes[0].total)).toBe(expected[1]!.elements.total);

    // at-least-once delivery: the same job again writes the same rows, no more
    await finished(await enqueueRecompute(queue, [{ from: H - 10 * MIN, to: H + HOUR + 10 * MIN }]));
    const { rows: again } = await pool.query(`SELECT count() n FROM ${TABLES.oeeMachine} WHERE enterprise = $1 AND granularity = 'hour'`, [ent]);
    expect(Number(again[0].n)).toBe(3 * fleet.length); // hours H − 1, H and H + 1, every machine of the plant
    expectRowEquals(await hourRow(0), expected[0]!);
  });

  it("late data recomputes the buckets it reaches, and only those", async () => {
    const late: StateEvent[] = [
      { ts: H + 50 * MIN, state: "idle" },
      { ts: H + 55 * MIN, state: "running" },
    ];
    const before = await stateCount();
    await publish(0, { states: late });
    await waitFor("late telemetry in QuestDB", async () => (await stateCount()) >= before + 2, 30_000);
    await waitWalApplied(pool, [TABLES.state, TABLES.oeeLate]);
    const { rows: marks } = await pool.query(`SELECT ts FROM ${TABLES.oeeLate} WHERE enterprise = $1 ORDER BY ts`, [ent]);
    expect(marks.map((r) => new Date(r.ts).getTime())).toEqual(expect.arrayContaining([H + 50 * MIN, H + 55 * MIN]));

    const { rows: untouched } = await pool.query(`SELECT computed_at FROM ${TABLES.oeeMachine} WHERE enterprise = $1 AND granularity = 'minute' AND ts = $2`, [
      ent,
      new Date(H - 8 * MIN).toISOString(),
    ]);
    expect(untouched.length).toBeGreaterThan(0);
    const result = await finished(await queue.add("late", { kind: "late" }));
    expect(result).toMatchObject({ kind: "late" });
    expect((result as { touched: number }).touched).toBeGreaterThanOrEqual(2);
    expectRowEquals(await hourRow(0), coreHour(0, { states: late }));
    expect((await hourRow(0)).other_stop_s).toBeCloseTo(5 * 60 + 0, 6);
    // a minute before what the late data reaches (its minutes, from the micro-stop threshold before;
    // every event published so far was late, from H − 1 min) was not rewritten
    const { rows: after } = await pool.query(`SELECT computed_at FROM ${TABLES.oeeMachine} WHERE enterprise = $1 AND granularity = 'minute' AND ts = $2`, [
      ent,
      new Date(H - 8 * MIN).toISOString(),
    ]);
    expect(after.map((r) => new Date(r.computed_at).getTime())).toEqual(untouched.map((r) => new Date(r.computed_at).getTime()));
    events[0]!.states.push(...late);
  });

  it("a corrected downtime reason is audited and changes the numbers after the recompute", async () => {
    let job: Job | undefined;
    const deps = {
      prisma,
      pool,
      machines: fleet,
      recompute: async (ranges: { from: number; to: number }[], why: string) => {
        job = await enqueueRecompute(queue, ranges, why);
      },
    };
    const manager = { name: "pm.dresden", origin: "10.0.0.7", sites: [`${ent}/${site.slug}`] };
    const m0 = machines[0]!;
    // only stop time gets a reason; another site's user is refused
    await expect(assignReason(deps, manager, { machine: m0.path, start: H + 5 * MIN, end: H + 12 * MIN, reason: "planned-maintenance" })).rejects.toThrow(
      /was producing/,
    );
    await expect(
      assignReason(deps, { name: "pm.pune", sites: [`${ent}/pune`] }, { machine: m0.path, start: H + 10 * MIN, end: H + 25 * MIN, reason: "x" }),
    ).rejects.toBeInstanceOf(ReasonEditError);
    await expect(assignReason(deps, manager, { machine: m0.path, start: H + 10 * MIN, end: H + 25 * MIN, reason: " " })).rejects.toThrow(/reason is empty/);

    const id = await assignReason(deps, manager, {
      machine: m0.path,
      start: H + 10 * MIN,
      end: H + 25 * MIN,
      reason: "planned-maintenance",
      note: "PM was planned",
    });
    expect(job).toBeDefined();
    await finished(job!);
    const edits: ReasonEdit[] = [{ start: H + 10 * MIN, end: H + 25 * MIN, reason: "planned-maintenance" }];
    const expected = coreHour(0, { reasonEdits: edits });
    expect(expected.elements.plannedBusyS).toBe(HOUR / 1000 - 15 * 60); // the breakdown became planned time
    expectRowEquals(await hourRow(0), expected);

    const stored = await prisma.reasonEdit.findUniqueOrThrow({ where: { id } });
    expect(stored).toMatchObject({ reason: "planned-maintenance", createdBy: "pm.dresden", kind: "assign", note: "PM was planned" });
    const audit = await prisma.auditLog.findMany({ where: { subject: m0.key } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: "pm.dresden", origin: "10.0.0.7", action: "downtime.reason.assign", result: "ok", siteSlug: site.slug });
  });

  it("upserts the job schedulers: starting twice leaves one per granularity and one late scan", async () => {
    await upsertOeeSchedulers(queue);
    await upsertOeeSchedulers(queue);
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((s) => s.key).sort()).toEqual(["oee-closed-day", "oee-closed-hour", "oee-closed-minute", "oee-closed-shift", "oee-late"]);
  });
});

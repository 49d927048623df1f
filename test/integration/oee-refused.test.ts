// One machine whose OEE rows QuestDB refuses for good must not block OEE for the plant. Here the
// machine sent 1030 delta counts of 2^53 − 1 parts in one minute (each one valid by the contract):
// its count for that minute, and for the hour, is above QuestDB's LONG, and QuestDB answers 400 to
// its rows and to the roll-ups that include it. Through MQTT, the ingest worker, the real QuestDB and
// the BullMQ worker: the job completes; every other row lands and equals the OEE core's numbers; the
// refused rows are dead-lettered with QuestDB's reason, told to the worker (its error log) and listed
// in the job's result; a scheduled run moves its cursor on. A failure that can pass (QuestDB down)
// still fails the job, to be retried.
import { randomBytes } from "node:crypto";
import { QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadMachineKeys } from "#lib/adapters/db/assets.ts";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { loadMachines, type MachineInfo } from "#lib/adapters/db/plant.ts";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { QuestWriter } from "#lib/adapters/questdb/writer.ts";
import { enqueueRecompute, oeeQueue } from "#lib/adapters/queues/oee.ts";
import type { OeeJobResult, RefusedOeeRow } from "#lib/contract/jobs/oee.ts";
import { computeOee, rollup } from "#lib/domain/oee/compute.ts";
import type { CountEvent, OeeResult, StateEvent } from "#lib/domain/oee/types.ts";
import { type IngestWorker, startIngestWorker } from "#lib/features/ingest/worker.ts";
import { handleOeeJob, oeeWorker } from "#lib/features/oee/jobs.ts";
import { waitFor } from "#lib/features/stack/net.ts";
import { createLogger } from "#lib/platform/log.ts";
import { seedTestPlant, testConfig, testPlant } from "../support/stack.ts";

const env = inject("stack");
const ent = `or${randomBytes(3).toString("hex")}`;
const plant = testPlant(ent, 2); // two lines of two machines
const site = plant.sites[0]!;
site.calendars = site.calendars.map((c) => ({ ...c, shifts: [] })); // the whole hour is planned
const MIN = 60_000;
const HOUR = 3_600_000;
const H = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR; // a closed hour two hours ago
const BAD_MINUTE = H + 10 * MIN;
const pool = questPool(env.QUESTDB_PG_URL, env.QUESTDB_PG_PASSWORD);
const prefix = `{andon-test-${ent}}`;
const connection = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
const writer = new QuestWriter({ httpUrl: env.QUESTDB_HTTP_URL });
const prisma = prismaFor(env.DATABASE_URL);
const queue = oeeQueue(connection, prefix);
let ingest: IngestWorker;
let fleet: MachineInfo[];
let bad: MachineInfo;
let worker: ReturnType<typeof oeeWorker>;
let queueEvents: QueueEvents;
const told: { row: RefusedOeeRow; deadLettered: boolean }[] = [];
const watermark = { get: async () => undefined, set: async () => undefined };

const states = (k: number): StateEvent[] => [
  { ts: H - MIN, state: "running" },
  { ts: H + (15 + k) * MIN, state: "equipment_failure", reason: "jam" },
  { ts: H + (22 + k) * MIN, state: "running" },
  { ts: H + 40 * MIN, state: "idle" },
  { ts: H + 40 * MIN + 30_000, state: "running" },
];
const counts = (k: number): CountEvent[] => [
  { ts: H + 5 * MIN, mode: "delta", total: 40 + k, reject: 1 },
  { ts: H + 30 * MIN, mode: "delta", total: 25, reject: k },
  { ts: H + 59 * MIN, mode: "delta", total: 30, reject: 2 },
];
// 1030 × (2^53 − 1) > 2^63 − 1: the sum of a minute's counts no LONG column holds
const flood: CountEvent[] = Array.from({ length: 1030 }, (_, i) => ({ ts: BAD_MINUTE + i * 50, mode: "delta", total: Number.MAX_SAFE_INTEGER, reject: 0 }));
const eventsOf = (m: MachineInfo) => {
  const k = fleet.indexOf(m);
  return { states: states(k), counts: m === bad ? [...counts(k), ...flood].sort((a, b) => a.ts - b.ts) : counts(k) };
};

const countRows = async () => Number((await pool.query(`SELECT count() n FROM ${TABLES.counts} WHERE enterprise = $1`, [ent])).rows[0]?.n);

beforeAll(async () => {
  await seedTestPlant(env.DATABASE_URL, plant);
  fleet = (await loadMachines(prisma)).filter((m) => m.enterprise === ent).sort((a, b) => a.key.localeCompare(b.key));
  expect(new Set(fleet.map((m) => m.line)).size).toBe(2);
  bad = fleet[0]!;
  ingest = await startIngestWorker({
    config: testConfig(env, { INGEST_CLIENT_ID: `oee-refused-${ent}`, INGEST_ENTERPRISE: ent, INGEST_FLUSH_MS: "50" }),
    log: createLogger("oee-refused-test", "warn"),
    loadMachineKeys: () => loadMachineKeys(prisma),
  });
  const pub = await mqtt.connectAsync(env.MQTT_URL, { protocolVersion: 5 });
  let expected = 0;
  for (const m of fleet) {
    const e = eventsOf(m);
    const send = (channel: string, x: { ts: number }) =>
      pub.publishAsync(`${m.key}/${channel}`, JSON.stringify({ v: 1, ...x, ts: new Date(x.ts).toISOString() }), { qos: 1 });
    await Promise.all([...e.states.map((s) => send("state", s)), ...e.counts.map((c) => send("counts", c))]);
    expected += e.counts.length;
  }
  await pub.endAsync();
  await waitFor("telemetry in QuestDB", async () => (await countRows()) >= expected, 60_000);
  await waitWalApplied(pool, [TABLES.state, TABLES.counts, TABLES.oeeLate]);
  queueEvents = new QueueEvents("oee", { connection: new Redis(env.REDIS_URL, { maxRetriesPerRequest: null }), prefix });
  await queueEvents.waitUntilReady();
  worker = oeeWorker(connection, async () => ({ pool, writer, machines: fleet, watermark, onRefused: (r) => told.push(...r) }), prefix);
}, 120_000);

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

const core = (m: MachineInfo, start: number, end: number): OeeResult =>
  computeOee({
    window: { start, end },
    idealCycleTimeS: m.idealCycleTimeS,
    plan: { kind: "window" },
    mapping: m.lossMapping!,
    ...eventsOf(m),
    reasonEdits: [],
  });

async function machineRows(m: MachineInfo, granularity: string, start: number, end = start + 1) {
  const { rows } = await pool.query(
    `SELECT * FROM ${TABLES.oeeMachine} WHERE enterprise = $1 AND line = $2 AND machine = $3 AND granularity = $4 AND ts >= $5 AND ts < $6 ORDER BY ts`,
    [ent, m.line, m.slug, granularity, new Date(start).toISOString(), new Date(end).toISOString()],
  );
  return rows;
}

function expectRowEquals(row: Record<string, unknown> | undefined, e: OeeResult) {
  expect(row).toBeDefined();
  expect(row!.planned_busy_s).toBeCloseTo(e.elements.plannedBusyS, 6);
  expect(row!.run_s).toBeCloseTo(e.elements.runS, 6);
  expect(row!.breakdown_s).toBeCloseTo(e.elements.breakdownS, 6);
  expect(row!.small_stop_s).toBeCloseTo(e.elements.smallStopS, 6);
  expect(Number(row!.total)).toBe(e.elements.total);
  expect(Number(row!.good)).toBe(e.elements.good);
  expect(row!.oee).toBeCloseTo(e.kpis.oee!, 9);
}

const lineOf = (m: MachineInfo) => `${m.enterprise}/${m.site}/${m.area}/${m.line}`;
/** What QuestDB refuses: the bad machine's rows and every roll-up that includes them, by level. */
const refusedKeys = () => ({ machine: bad.key as string, line: lineOf(bad), site: `${ent}/${bad.site}`, enterprise: ent });
const deadLetters = async () =>
  (
    await pool.query<{ ts: Date; topic: string; reason: string; payload_b64: string }>(
      `SELECT ts, topic, reason, payload_b64 FROM ${TABLES.deadLetters} WHERE worker = 'oee' AND topic LIKE $1 ORDER BY topic, ts`,
      [`oee/%/${ent}%`],
    )
  ).rows;

describe("an OEE job whose rows QuestDB refuses", () => {
  it("completes, writes every other row exactly, and reports the refused ones with QuestDB's reason", { timeout: 120_000 }, async () => {
    const job = await enqueueRecompute(queue, [{ from: H, to: H + HOUR }]);
    const result = (await job.waitUntilFinished(queueEvents, 60_000)) as OeeJobResult;
    expect(await job.getState()).toBe("completed");
    await waitWalApplied(pool, [TABLES.oeeMachine, TABLES.oeeRollup, TABLES.deadLetters]);

    // the refused rows: the bad machine's minute and hour, and the line, site and enterprise that include them
    const listed = result.refused?.rows ?? [];
    expect(result.refused?.count).toBe(listed.length);
    const minuteAndHour = listed.filter((r) => r.granularity === "minute" || r.granularity === "hour");
    expect(minuteAndHour.map((r) => `${r.granularity} ${r.level} ${r.key} ${r.bucket}`).sort()).toEqual(
      Object.entries(refusedKeys())
        .flatMap(([level, key]) => [`minute ${level} ${key} ${new Date(BAD_MINUTE).toISOString()}`, `hour ${level} ${key} ${new Date(H).toISOString()}`])
        .sort(),
    );
    for (const r of listed) {
      expect(r.key).toBe(refusedKeys()[r.level as keyof ReturnType<typeof refusedKeys>]);
      expect(r.reason).toMatch(/statusCode=400.*field value is invalid\. Field: total/s);
    }
    expect(told.map((t) => t.row)).toEqual(listed);
    expect(told.every((t) => t.deadLettered)).toBe(true);

    // dead-lettered with the reason and the row's values, keyed by the bucket
    const letters = await deadLetters();
    expect(letters).toHaveLength(listed.length);
    const machineMinute = letters.find((d) => d.topic === `oee/minute/machine/${bad.key}`);
    expect(machineMinute?.reason).toMatch(/^QuestDB refused the OEE row \(oee_machine, minute .*\): .*field value is invalid/s);
    expect(new Date(machineMinute!.ts).getTime()).toBe(BAD_MINUTE);
    const payload = JSON.parse(Buffer.from(machineMinute!.payload_b64, "base64").toString("utf8"));
    expect(payload).toMatchObject({ table: TABLES.oeeMachine, machine: bad.slug, granularity: "minute" });
    expect(payload.total).toBeGreaterThan(2 ** 63);

    // every other machine's hour lands, equal to the core on the raw events; the other line's roll-up too
    const good = fleet.filter((m) => m !== bad);
    for (const m of good) expectRowEquals((await machineRows(m, "hour", H))[0], core(m, H, H + HOUR));
    const other = good.filter((m) => m.line !== bad.line);
    const { rows: otherLine } = await pool.query(`SELECT * FROM ${TABLES.oeeRollup} WHERE level = 'line' AND key = $1 AND granularity = 'hour' AND ts = $2`, [
      lineOf(other[0]!),
      new Date(H).toISOString(),
    ]);
    expect(otherLine).toHaveLength(1);
    expect(otherLine[0].oee).toBeCloseTo(rollup(other.map((m) => core(m, H, H + HOUR))).kpis.oee!, 9);
    expect(Number(otherLine[0].total)).toBe(rollup(other.map((m) => core(m, H, H + HOUR))).elements.total);

    // the bad machine: every minute of the hour but the refused one, each exact; no hour row, no line row
    const minutes = await machineRows(bad, "minute", H, H + HOUR);
    expect(minutes.map((r) => new Date(r.ts).getTime())).toEqual(Array.from({ length: 60 }, (_, i) => H + i * MIN).filter((t) => t !== BAD_MINUTE));
    for (const t of [H + 5 * MIN, H + 11 * MIN, H + 15 * MIN, H + 40 * MIN]) {
      expectRowEquals(
        minutes.find((r) => new Date(r.ts).getTime() === t),
        core(bad, t, t + MIN),
      );
    }
    expect(await machineRows(bad, "hour", H)).toHaveLength(0);
    const { rows: badLine } = await pool.query(`SELECT * FROM ${TABLES.oeeRollup} WHERE level = 'line' AND key = $1 AND granularity = 'hour' AND ts = $2`, [
      lineOf(bad),
      new Date(H).toISOString(),
    ]);
    expect(badLine).toHaveLength(0);

    // the same rows refused again by a later run replace their dead letters rather than add to them
    const again = (await (await enqueueRecompute(queue, [{ from: H, to: H + HOUR }])).waitUntilFinished(queueEvents, 60_000)) as OeeJobResult;
    expect(again.refused?.count).toBe(listed.length);
    await waitWalApplied(pool, [TABLES.deadLetters]);
    expect(await deadLetters()).toHaveLength(listed.length);
  });

  it("a scheduled run moves its cursor past the refused rows, so the next runs go on", async () => {
    const cursors = new Map([
      ["minute", H + HOUR + 10 * MIN],
      ["hour", H],
    ]);
    const cursor = {
      get: async (g: string) => cursors.get(g),
      advance: async (g: string, ms: number) => {
        cursors.set(g, Math.max(cursors.get(g) ?? 0, ms));
      },
    };
    const r = await handleOeeJob(
      { kind: "closed", granularity: "hour" },
      async () => ({ pool, writer, machines: fleet, watermark, cursor }),
      H + HOUR + 10 * MIN,
    );
    expect(r.refused?.rows.map((x) => `${x.granularity} ${x.level} ${x.key} ${x.bucket}`).sort()).toEqual(
      Object.entries(refusedKeys())
        .map(([level, key]) => `hour ${level} ${key} ${new Date(H).toISOString()}`)
        .sort(),
    );
    // the hour run goes up to five minutes before the minute cursor
    expect(cursors.get("hour")).toBe(H + HOUR + 5 * MIN);
  });

  it("a failure that can pass (QuestDB down) still fails the job, to be retried, and dead-letters nothing", async () => {
    const before = (await deadLetters()).length;
    const down = {
      write: async () => {
        throw new Error("connect ECONNREFUSED 127.0.0.1:9000");
      },
      close: async () => undefined,
    };
    await expect(
      handleOeeJob({ kind: "recompute", ranges: [{ from: H, to: H + HOUR }] }, async () => ({ pool, writer: down, machines: fleet, watermark })),
    ).rejects.toThrow(/ECONNREFUSED/);
    await waitWalApplied(pool, [TABLES.deadLetters]);
    expect(await deadLetters()).toHaveLength(before);
  });
});

// Telemetry through MQTT and the ingest worker into QuestDB, then the BullMQ roll-up job: the
// numbers it writes equal the OEE core's on the same events, a re-run changes nothing, and the
// job schedulers are upserted, not duplicated.
import { randomBytes } from "node:crypto";
import { QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadMachineKeys } from "../../lib/db/assets.ts";
import { prismaFor } from "../../lib/db/client.ts";
import { loadMachines } from "../../lib/db/plant.ts";
import { computeOee, rollup } from "../../lib/domain/oee/compute.ts";
import { DEFAULT_MAPPING } from "../../lib/domain/oee/mapping.ts";
import type { CountEvent, StateEvent } from "../../lib/domain/oee/types.ts";
import { type IngestWorker, startIngestWorker } from "../../lib/ingest/worker.ts";
import { createLogger } from "../../lib/log.ts";
import { questPool, waitWalApplied } from "../../lib/questdb/pg.ts";
import { TABLES } from "../../lib/questdb/tables.ts";
import { QuestWriter } from "../../lib/questdb/writer.ts";
import { oeeQueue, oeeWorker, upsertOeeSchedulers } from "../../lib/queues/oee.ts";
import { waitFor } from "../../lib/services/net.ts";
import { seedTestPlant, testConfig, testPlant } from "../support/stack.ts";

const env = inject("stack");
const ent = `tj${randomBytes(3).toString("hex")}`;
const plant = testPlant(ent, 2);
const site = plant.sites[0]!;
site.calendars = site.calendars.map((c) => ({ ...c, shifts: [] })); // the whole hour is planned
const area = site.areas[0]!;
const line = area.lines[0]!;
const machines = line.machines.map((m) => ({ key: `${ent}/${site.slug}/${area.slug}/${line.slug}/${m.slug}`, slug: m.slug, ict: m.idealCycleTimeS }));
const HOUR = 3_600_000;
const H = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR; // a closed hour two hours ago
const pool = questPool(env.QUESTDB_PG_URL, env.QUESTDB_PG_PASSWORD);
const prefix = `{andon-test-${ent}}`;
const connection = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
const writer = new QuestWriter({ httpUrl: env.QUESTDB_HTTP_URL });
let ingest: IngestWorker;

// per machine: a state before the hour, a breakdown, a micro-stop, delta counts
const events = machines.map((_m, k) => ({
  states: [
    { ts: H - 60_000, state: "running" },
    { ts: H + (10 + k) * 60_000, state: "equipment_failure", reason: "jam" },
    { ts: H + (25 + k) * 60_000, state: "running" },
    { ts: H + 40 * 60_000, state: "idle" },
    { ts: H + 40 * 60_000 + 30_000, state: "running" },
  ] as StateEvent[],
  counts: [
    { ts: H + 5 * 60_000, mode: "delta", total: 40 + k, reject: 1 },
    { ts: H + 30 * 60_000, mode: "delta", total: 25, reject: 0 },
    { ts: H + 59 * 60_000, mode: "delta", total: 30 + 5 * k, reject: 2 },
  ] as CountEvent[],
}));

beforeAll(async () => {
  await seedTestPlant(env.DATABASE_URL, plant);
  ingest = await startIngestWorker({
    config: testConfig(env, { INGEST_CLIENT_ID: `oee-${ent}`, INGEST_ENTERPRISE: ent, INGEST_FLUSH_MS: "50" }),
    log: createLogger("oee-test", "warn"),
    loadMachineKeys: () => loadMachineKeys(prismaFor(env.DATABASE_URL)),
  });
  const pub = await mqtt.connectAsync(env.MQTT_URL, { protocolVersion: 5 });
  for (const [k, m] of machines.entries()) {
    for (const s of events[k]!.states) await pub.publishAsync(`${m.key}/state`, JSON.stringify({ v: 1, ...s, ts: new Date(s.ts).toISOString() }), { qos: 1 });
    for (const c of events[k]!.counts) await pub.publishAsync(`${m.key}/counts`, JSON.stringify({ v: 1, ...c, ts: new Date(c.ts).toISOString() }), { qos: 1 });
  }
  await pub.endAsync();
  const expected = events.reduce((s, e) => s + e.counts.length, 0);
  const landed = async () => Number((await pool.query(`SELECT count() n FROM ${TABLES.counts} WHERE enterprise = $1`, [ent])).rows[0]?.n) >= expected;
  await waitFor("telemetry in QuestDB", landed, 30_000);
  await waitWalApplied(pool, [TABLES.state, TABLES.counts]);
});

afterAll(async () => {
  await ingest?.stop();
  const q = oeeQueue(connection, prefix);
  await q.obliterate({ force: true }).catch(() => undefined);
  await q.close();
  connection.disconnect();
  await writer.close();
  await pool.end();
});

async function runJob(data: Record<string, unknown>) {
  const queue = oeeQueue(connection, prefix);
  const events = new QueueEvents("oee", { connection: new Redis(env.REDIS_URL, { maxRetriesPerRequest: null }), prefix });
  const worker = oeeWorker(
    connection,
    async () => ({ pool, writer, machines: (await loadMachines(prismaFor(env.DATABASE_URL))).filter((m) => m.enterprise === ent) }),
    prefix,
  );
  try {
    await events.waitUntilReady();
    const job = await queue.add("rollup", data);
    return await job.waitUntilFinished(events, 60_000);
  } finally {
    await worker.close();
    await events.close();
    await queue.close();
  }
}

describe("OEE roll-up jobs", () => {
  it("write per-machine and line OEE equal to the core's numbers on the same events; a re-run changes nothing", async () => {
    const result = await runJob({ granularity: "hour", from: H, to: H + HOUR });
    expect(result).toMatchObject({ buckets: 1 });
    await waitWalApplied(pool, [TABLES.oeeMachine, TABLES.oeeRollup]);

    const expected = machines.map((m, k) =>
      computeOee({ window: { start: H, end: H + HOUR }, idealCycleTimeS: m.ict, plan: { kind: "window" }, mapping: DEFAULT_MAPPING, ...events[k]! }),
    );
    for (const [k, m] of machines.entries()) {
      const { rows } = await pool.query(`SELECT * FROM ${TABLES.oeeMachine} WHERE enterprise = $1 AND line = $2 AND machine = $3 AND granularity = 'hour'`, [
        ent,
        line.slug,
        m.slug,
      ]);
      expect(rows).toHaveLength(1);
      const row = rows[0];
      const e = expected[k]!;
      expect(new Date(row.ts).getTime()).toBe(H);
      expect(row.mapping_version).toBe("default@v1");
      expect(row.planned_busy_s).toBeCloseTo(e.elements.plannedBusyS, 6);
      expect(row.run_s).toBeCloseTo(e.elements.runS, 6);
      expect(row.breakdown_s).toBeCloseTo(e.elements.breakdownS, 6);
      expect(row.small_stop_s).toBeCloseTo(e.elements.smallStopS, 6);
      expect(Number(row.total)).toBe(e.elements.total);
      expect(Number(row.good)).toBe(e.elements.good);
      expect(row.oee).toBeCloseTo(e.kpis.oee!, 9);
      expect(e.elements.breakdownS).toBe(15 * 60); // sanity: the fixture has a 15 min breakdown
      expect(e.elements.smallStopS).toBe(30); // and a 30 s idle micro-stop
    }
    const lineKey = `${ent}/${site.slug}/${area.slug}/${line.slug}`;
    const { rows: up } = await pool.query(`SELECT * FROM ${TABLES.oeeRollup} WHERE key = $1 AND level = 'line' AND granularity = 'hour'`, [lineKey]);
    expect(up).toHaveLength(1);
    expect(up[0].oee).toBeCloseTo(rollup(expected).kpis.oee!, 9);

    // at-least-once delivery: the same job again writes the same rows, no more
    await runJob({ granularity: "hour", from: H, to: H + HOUR });
    await waitWalApplied(pool, [TABLES.oeeMachine, TABLES.oeeRollup]);
    const { rows: again } = await pool.query(`SELECT count() n FROM ${TABLES.oeeMachine} WHERE enterprise = $1 AND line = $2`, [ent, line.slug]);
    expect(Number(again[0].n)).toBe(machines.length);
  });

  it("upserts the job schedulers: starting twice leaves one per granularity", async () => {
    const queue = oeeQueue(connection, prefix);
    try {
      await upsertOeeSchedulers(queue);
      await upsertOeeSchedulers(queue);
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((s) => s.key).sort()).toEqual(["oee-day", "oee-hour", "oee-minute"]);
    } finally {
      await queue.close();
    }
  });
});

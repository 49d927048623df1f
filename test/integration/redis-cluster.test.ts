// The BullMQ jobs on a Redis Cluster (REDIS_CLUSTER_NODES): three masters on loopback, no replicas.
// Two enterprises get the same telemetry in QuestDB. One's OEE jobs (closed runs of every
// granularity from a cursor, the late scan with its watermark in Redis, a recompute) go through the
// queue on the cluster, the other's through the same queue code on the test stack's single Redis;
// their oee_machine and oee_rollup rows are compared bucket by bucket. A PdM vibration scan job
// runs on the cluster too, its detector state kept there. Every Andon key lands in the one slot of
// the QUEUE_PREFIX hash tag, and `andon demo reset`'s key sweep finds them all.
import { randomBytes } from "node:crypto";
import { type Job, Queue, QueueEvents, Worker } from "bullmq";
import { Cluster } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { oeeCursorStore, resetOeeCursors } from "#lib/adapters/db/oee-cursor.ts";
import { reasonEditsByPath } from "#lib/adapters/db/oee-reasons.ts";
import { loadMachines, type MachineInfo } from "#lib/adapters/db/plant.ts";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import { ensureQuestSchema } from "#lib/adapters/questdb/schema.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { QuestWriter } from "#lib/adapters/questdb/writer.ts";
import { enqueueRecompute, oeeQueue, redisWatermark, upsertOeeSchedulers } from "#lib/adapters/queues/oee.ts";
import { pdmQueue, pdmWaveformQueue, pdmWorker } from "#lib/adapters/queues/pdm.ts";
import { deleteKeysUnder, type RedisClient, redisConnection } from "#lib/adapters/queues/redis.ts";
import { PDM_SCAN_JOB } from "#lib/contract/jobs/pdm.ts";
import { GRANULARITIES } from "#lib/domain/oee/buckets.ts";
import { SCHEDULES } from "#lib/domain/oee/plan.ts";
import { redisLoginThrottle } from "#lib/features/auth/throttle.ts";
import { mapMessage } from "#lib/features/ingest/mapping.ts";
import { oeeWorker } from "#lib/features/oee/jobs.ts";
import { featureStateKey, type ScanResult, scanVibration } from "#lib/features/pdm/scan.ts";
import { waveformStateKey } from "#lib/features/pdm/waveform-scan.ts";
import { mulberry32 } from "#lib/features/sim/prng.ts";
import { synthWaveform } from "#lib/features/sim/waveform.ts";
import { parseConfig } from "#lib/platform/config.ts";
import { pdmWaveformWorker } from "../../workers/pdm-waveform.processor.ts";
import { type RedisClusterForTest, startRedisCluster } from "../support/redis-cluster.ts";
import { seedTestPlant, testPlant } from "../support/stack.ts";

const env = inject("stack");
const MIN = 60_000;
const HOUR = 3_600_000;
const tag = randomBytes(3).toString("hex");
const ents = { cluster: `rc${tag}c`, single: `rc${tag}s` };
const prefixes = { cluster: `{rc-${tag}-c}`, single: `{rc-${tag}-s}` };
const H = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR; // a closed hour two hours ago
const T = Date.now() - 20 * MIN; // the vibration: the last 20 minutes
const pool = questPool(env.QUESTDB_PG_URL, env.QUESTDB_PG_PASSWORD);
const writer = new QuestWriter({ httpUrl: env.QUESTDB_HTTP_URL });
const prisma = prismaFor(env.DATABASE_URL);
const fleets = new Map<string, MachineInfo[]>();
let cluster: RedisClusterForTest;
/** the settings of each run, through the same validation as the processes' */
const settings = { cluster: {} as ReturnType<typeof parseConfig>, single: parseConfig({ REDIS_URL: env.REDIS_URL }) };
const clients: RedisClient[] = [];
/** before the first job: buckets that ended well before are computed by both runs */
let startedAt = 0;

function plantOf(ent: string) {
  const plant = testPlant(ent, 2);
  const site = plant.sites[0]!;
  site.areas = [{ ...site.areas[0]!, lines: [site.areas[0]!.lines[0]!] }];
  return plant;
}

const SNAPSHOTS = 10;
/** machine 0 of the test plant: a waveform sensor and a bearing geometry */
const bearing = plantOf("x").sites[0]!.areas[0]!.lines[0]!.machines[0]!;

/** Machine k's messages: breakdowns, micro-stops and minute counts in hour H, then running with vibration (machine 0 reaches zone D) and waveform snapshots (machine 0). */
function messages(k: number): { channel: string; msg: Record<string, unknown> }[] {
  const out: { channel: string; msg: Record<string, unknown> }[] = [{ channel: "state", msg: { ts: H - MIN, state: "running" } }];
  out.push({ channel: "state", msg: { ts: H + (10 + 3 * k) * MIN, state: "equipment_failure", reason: "jam" } });
  out.push({ channel: "state", msg: { ts: H + (22 + 3 * k) * MIN, state: "running" } });
  for (let t = H + (31 + k) * MIN; t < H + HOUR; t += 20 * MIN)
    out.push({ channel: "state", msg: { ts: t, state: "idle" } }, { channel: "state", msg: { ts: t + 90_000, state: "running" } });
  for (let i = 0; i < 60; i++)
    out.push({ channel: "counts", msg: { ts: H + i * MIN + 59_000, mode: "delta", total: 6 - (i % 3 === k ? 1 : 0), reject: i % 17 === 0 ? 1 : 0 } });
  if (k === 0) {
    for (let i = 0; i < 480; i++) {
      const v = (i < 420 ? 1.0 : 5.0) + ((i * 7919) % 100) / 1000;
      out.push({ channel: "vibration", msg: { ts: T + i * 1000, sensor: "de-bearing", velocity_rms_mm_s: v } });
    }
    const rng = mulberry32(11);
    for (let i = 0; i < SNAPSHOTS; i++) {
      const samples = synthWaveform(rng, { sampleRateHz: 10240, n: 2048, speedRpm: 6000, degradation: 0, bearing });
      out.push({ channel: "waveform", msg: { ts: T + i * MIN, sensor: "de-bearing", unit: "g", sample_rate_hz: 10240, speed_rpm: 6000, samples } });
    }
  }
  return out;
}

/** The same messages for both enterprises, through the ingest's mapping (late marks included) into QuestDB. */
async function writeTelemetry() {
  const nowMicros = Date.now() * 1000;
  const ctx = { nowMicros, maxFutureMicros: 300e6, maxAgeMicros: 30 * 86400e6, isKnownMachine: () => true, worker: "redis-cluster-test" };
  const rows = [];
  for (const ent of Object.values(ents)) {
    for (const [k, m] of fleets.get(ent)!.entries()) {
      for (const { channel, msg } of messages(k)) {
        const payload = JSON.stringify({ v: 1, ...msg, ts: new Date(msg.ts as number).toISOString() });
        const mapped = mapMessage(`${m.key}/${channel}`, Buffer.from(payload), ctx);
        if (!mapped.ok) throw new Error(mapped.reason);
        rows.push(...mapped.rows);
      }
    }
  }
  await writer.write(rows);
  await waitWalApplied(pool, [TABLES.state, TABLES.counts, TABLES.vibration, TABLES.waveform, TABLES.oeeLate]);
}

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  settings.cluster = parseConfig({ REDIS_URL: env.REDIS_URL, REDIS_CLUSTER_NODES: cluster.nodes.join(",") });
  await ensureQuestSchema(env.QUESTDB_HTTP_URL);
  for (const ent of Object.values(ents)) await seedTestPlant(env.DATABASE_URL, plantOf(ent));
  const all = await loadMachines(prisma);
  for (const ent of Object.values(ents))
    fleets.set(
      ent,
      all.filter((m) => m.enterprise === ent).sort((a, b) => a.slug.localeCompare(b.slug)),
    );
  await writeTelemetry();
}, 120_000);

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await cluster?.stop();
  await writer.close();
  await pool.end();
});

const open = (which: keyof typeof settings) => {
  const c = redisConnection(settings[which], { maxRetriesPerRequest: null });
  clients.push(c);
  return c;
};

async function done<R>(job: Job, events: QueueEvents): Promise<R> {
  return (await job.waitUntilFinished(events, 60_000)) as R;
}

/** The OEE jobs the worker runs in production, through the queue on `which` Redis, for that run's enterprise. */
async function oeeRun(which: keyof typeof settings) {
  const connection = open(which);
  const prefix = prefixes[which];
  const fleet = fleets.get(ents[which])!;
  const queue = oeeQueue(connection, prefix);
  const events = new QueueEvents("oee", { connection: open(which), prefix });
  await events.waitUntilReady();
  const cursor = oeeCursorStore(prisma, prefix);
  await resetOeeCursors(prisma, prefix, GRANULARITIES, H - HOUR);
  const worker = oeeWorker(
    connection,
    async () => ({
      pool,
      writer,
      machines: fleet,
      reasonEdits: (range) => reasonEditsByPath(prisma, range),
      watermark: redisWatermark(connection, prefix),
      cursor,
    }),
    prefix,
  );
  const results: Record<string, unknown> = {};
  try {
    const t0 = performance.now();
    for (const g of GRANULARITIES) results[`closed-${g}`] = await done(await queue.add(`closed-${g}`, { kind: "closed", granularity: g }), events);
    results.late = await done(await queue.add("late", { kind: "late" }), events);
    results.recompute = await done(await enqueueRecompute(queue, [{ from: H - 10 * MIN, to: H + HOUR + 10 * MIN }], "redis-cluster test", ents[which]), events);
    const ms = Math.round(performance.now() - t0);
    const watermark = await connection.get(`${prefix}:oee:late-watermark`);
    await worker.close();
    // the schedulers the worker process upserts, twice (a restart): one each
    await upsertOeeSchedulers(queue);
    await upsertOeeSchedulers(queue);
    const schedulers = (await queue.getJobSchedulers()).map((s) => s.key).sort();
    return { results, ms, watermark, schedulers, connection, queue };
  } finally {
    await worker.close();
    await events.close();
  }
}

/**
 * Every OEE row of an enterprise from H − 1 h in buckets that the first run's closed jobs computed
 * (a coarse bucket waits closedWithinMs for the minutes), keyed by granularity, bucket and machine or
 * roll-up key (the enterprise name taken out).
 */
async function rowsOf(ent: string) {
  const from = new Date(H - HOUR).toISOString();
  const closed = new Date(startedAt - SCHEDULES.minute.closedWithinMs).toISOString();
  const machine = await pool.query(`SELECT * FROM ${TABLES.oeeMachine} WHERE enterprise = $1 AND ts >= $2 AND bucket_end <= $3`, [ent, from, closed]);
  const roll = await pool.query(`SELECT * FROM ${TABLES.oeeRollup} WHERE (key = $1 OR key LIKE $2) AND ts >= $3 AND bucket_end <= $4`, [
    ent,
    `${ent}/%`,
    from,
    closed,
  ]);
  const out = new Map<string, Record<string, unknown>[]>();
  const add = (key: string, r: Record<string, unknown>) => {
    const { computed_at: _c, stored_at: _s, enterprise: _e, key: _k, ...values } = r;
    out.set(key, [...(out.get(key) ?? []), values]);
  };
  for (const r of machine.rows) add(`${r.granularity} ${new Date(r.ts).toISOString()} ${r.machine}`, r);
  for (const r of roll.rows) add(`${r.granularity} ${new Date(r.ts).toISOString()} ${r.level} ${String(r.key).replace(ent, "ENT")}`, r);
  return out;
}

/** Keys under the prefix on each master of the cluster. */
async function keysPerMaster(c: Cluster, prefix: string): Promise<number[]> {
  return Promise.all(c.nodes("master").map(async (n) => (await n.keys(`${prefix}*`)).length));
}

/** A PdM vibration scan job through the queue on `which` Redis, its detector state kept there. */
async function pdmRun(which: keyof typeof settings): Promise<{ result: ScanResult; store: RedisClient; queue: Queue }> {
  const store = open(which);
  const prefix = prefixes[which];
  const machines = fleets.get(ents[which])!;
  const queue = pdmQueue(store, prefix);
  const events = new QueueEvents(queue.name, { connection: open(which), prefix });
  await events.waitUntilReady();
  const worker = pdmWorker(store, () => scanVibration({ pool, machines, store, keyPrefix: prefix, alerts: { prisma } }), prefix);
  try {
    return { result: await done<ScanResult>(await queue.add(PDM_SCAN_JOB, {}), events), store, queue };
  } finally {
    await worker.close();
    await events.close();
  }
}

describe("BullMQ jobs on a 3-master Redis Cluster", () => {
  it("the OEE roll-up jobs write the same rows as on a single Redis; every key in the prefix's slot", async () => {
    startedAt = Date.now();
    const onCluster = await oeeRun("cluster");
    const onSingle = await oeeRun("single");
    expect(onCluster.connection).toBeInstanceOf(Cluster);
    expect(onSingle.connection).not.toBeInstanceOf(Cluster);
    const c = onCluster.connection as Cluster;
    expect(c.nodes("master")).toHaveLength(3);

    for (const r of [onCluster, onSingle]) {
      expect(r.schedulers).toEqual(["oee-closed-day", "oee-closed-hour", "oee-closed-minute", "oee-closed-shift", "oee-late"]);
      expect(Number(r.watermark)).toBeGreaterThanOrEqual(startedAt);
      expect(r.results.late).toMatchObject({ kind: "late" });
      expect((r.results.late as { touched: number }).touched).toBeGreaterThan(0);
    }
    expect(onCluster.results.recompute).toMatchObject({
      kind: "recompute",
      buckets: (onSingle.results.recompute as { buckets: number }).buckets,
      rows: (onSingle.results.recompute as { rows: number }).rows,
    });
    expect((onCluster.results["closed-minute"] as { buckets: number }).buckets).toBeGreaterThanOrEqual(2 * 60);

    await waitWalApplied(pool, [TABLES.oeeMachine, TABLES.oeeRollup]);
    const want = await rowsOf(ents.single);
    const got = await rowsOf(ents.cluster);
    for (const [key, rows] of [...want, ...got]) expect(rows, key).toHaveLength(1);
    const minuteRows = [...got.keys()].filter((k) => k.startsWith("minute ") && k.split(" ").length === 3);
    expect(minuteRows.length).toBeGreaterThanOrEqual(2 * 120); // two machines, H − 1 h to H + 1 h at least
    expect([...got.keys()].filter((k) => k.startsWith("hour ")).length).toBeGreaterThanOrEqual(2 * 2);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [key, [row]] of want) expect(got.get(key)![0], key).toEqual(row);
    console.log(
      `redis-cluster: ${got.size} OEE rows (${minuteRows.length} machine minutes) identical on a 3-master cluster and a single Redis; ` +
        `jobs: ${Object.keys(onCluster.results).join(", ")} in ${onCluster.ms} ms on the cluster, ${onSingle.ms} ms on the single Redis`,
    );

    // BullMQ's keys and Andon's own (the late watermark) all on the master of the prefix's slot
    const perMaster = await keysPerMaster(c, prefixes.cluster);
    expect(perMaster.filter((n) => n > 0)).toHaveLength(1);
    const owner = c.nodes("master").findIndex((_n, i) => (perMaster[i] ?? 0) > 0);
    const slot = Number(await c.cluster("KEYSLOT", prefixes.cluster));
    const slots = await c.cluster("SLOTS");
    const [, , master] = slots.find(([a, b]) => slot >= a && slot <= b)!;
    expect(`${master?.[0]}:${master?.[1]}`).toBe(`${c.nodes("master")[owner]!.options.host}:${c.nodes("master")[owner]!.options.port}`);
    console.log(`redis-cluster: keys under ${prefixes.cluster} per master ${JSON.stringify(perMaster)} (slot ${slot})`);
    await onCluster.queue.close();
    await onSingle.queue.obliterate({ force: true });
    await onSingle.queue.close();
  });

  it("a PdM scan job runs on the cluster, as on a single Redis, and the demo reset's sweep deletes every key", async () => {
    const onCluster = await pdmRun("cluster");
    const onSingle = await pdmRun("single");
    expect(onCluster.result.samples).toBe(480);
    expect(onCluster.result.raised).toBeGreaterThanOrEqual(1);
    expect(onCluster.result).toEqual(onSingle.result);
    const machine0 = fleets.get(ents.cluster)![0]!;
    const alerts = await prisma.alert.findMany({ where: { machineKey: machine0.key, cause: "zone:velocity_rms_mm_s" } });
    expect(alerts.map((a) => [a.severity, a.zone])).toEqual([["CRITICAL", "D"]]);
    const state = await onCluster.store.get(featureStateKey(prefixes.cluster, machine0.key));
    expect(state).not.toBeNull();
    console.log(`redis-cluster: PdM scan job on the cluster ${JSON.stringify(onCluster.result)}, on a single Redis ${JSON.stringify(onSingle.result)}`);
    await onCluster.queue.close();
    await onSingle.queue.obliterate({ force: true });
    await onSingle.queue.close();
    // the same sweep on a single Redis
    expect(await deleteKeysUnder(onSingle.store, prefixes.single)).toBeGreaterThan(0);
    expect(await onSingle.store.keys(`${prefixes.single}*`)).toEqual([]);

    const c = onCluster.store as Cluster;
    const before = (await keysPerMaster(c, prefixes.cluster)).reduce((a, b) => a + b, 0);
    expect(before).toBeGreaterThan(0);
    expect(await deleteKeysUnder(c, prefixes.cluster)).toBe(before);
    expect(await keysPerMaster(c, prefixes.cluster)).toEqual([0, 0, 0]);
  });

  it("the sandboxed waveform processor and the sign-in throttle use the cluster from the settings", async () => {
    // the child process BullMQ forks opens its own connections from the environment (workers/pdm-waveform.processor.ts)
    const connection = open("cluster") as Cluster;
    const childEnv = { ...process.env, ...env, LOG_LEVEL: "warn", QUEUE_PREFIX: prefixes.cluster, REDIS_CLUSTER_NODES: cluster.nodes.join(",") };
    const worker = pdmWaveformWorker(connection, prefixes.cluster, childEnv);
    const queue = pdmWaveformQueue(connection, prefixes.cluster);
    const events = new QueueEvents(queue.name, { connection: open("cluster"), prefix: prefixes.cluster });
    const machine0 = fleets.get(ents.cluster)![0]!;
    try {
      await events.waitUntilReady();
      const r = (await (await queue.add("waveform-scan", { now: Date.now(), enterprise: ents.cluster })).waitUntilFinished(events, 120_000)) as {
        processorPid: number;
        snapshots: number;
      };
      expect(r.processorPid).not.toBe(process.pid);
      expect(r.snapshots).toBe(SNAPSHOTS);
      const saved = JSON.parse((await connection.get(waveformStateKey(prefixes.cluster, machine0.key))) ?? "{}");
      expect(saved.watermark).toBe(T + (SNAPSHOTS - 1) * MIN);
      console.log(`redis-cluster: waveform scan job in its child process on the cluster ${JSON.stringify(r)}`);
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
    }
    // the dashboard's sign-in counters: one Lua script over several keys, one MULTI (same slot)
    const throttle = redisLoginThrottle(connection, { prefix: prefixes.cluster, limits: { address: 3, user: 100, userAtAddress: 100 } });
    const verdicts = [];
    for (let i = 0; i < 4; i++) verdicts.push((await throttle.attempt("pm.dresden", "10.0.0.7")).allowed);
    expect(verdicts).toEqual([true, true, true, false]);
    await throttle.succeeded("pm.dresden", "10.0.0.7");
    expect(await deleteKeysUnder(connection, prefixes.cluster)).toBeGreaterThan(0);
  });

  it("measures BullMQ's own round trip: the same empty jobs through a queue on the cluster and on the single Redis", async () => {
    const JOBS = 500;
    const rate = async (which: keyof typeof settings) => {
      const connection = open(which);
      const prefix = `{rc-${tag}-bench-${which}-${randomBytes(2).toString("hex")}}`;
      const queue = new Queue("bench", { connection, prefix });
      let seen = 0;
      let all: () => void = () => undefined;
      const finished = new Promise<void>((r) => {
        all = r;
      });
      const worker = new Worker("bench", async (job) => job.data.i, { connection, prefix, concurrency: 1 });
      worker.on("completed", () => {
        if (++seen === JOBS) all();
      });
      const t0 = performance.now();
      await queue.addBulk(Array.from({ length: JOBS }, (_, i) => ({ name: "noop", data: { i }, opts: { removeOnComplete: true } })));
      await finished;
      const s = (performance.now() - t0) / 1000;
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
      return { seen, perS: Math.round(JOBS / s) };
    };
    // three rounds, the order alternating (the machine is shared: one round alone is noisy)
    const runs: Record<keyof typeof settings, { seen: number; perS: number }[]> = { cluster: [], single: [] };
    for (const order of [
      ["single", "cluster"],
      ["cluster", "single"],
      ["single", "cluster"],
    ] as const) {
      for (const which of order) runs[which].push(await rate(which));
    }
    for (const r of [...runs.cluster, ...runs.single]) expect(r.seen).toBe(JOBS);
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[1];
    const perS = (which: keyof typeof settings) => runs[which].map((r) => r.perS);
    console.log(
      `redis-cluster: ${JOBS} empty jobs (concurrency 1), jobs/s in 3 rounds: 3-master cluster ${perS("cluster").join(", ")} (median ${median(perS("cluster"))}), ` +
        `single Redis ${perS("single").join(", ")} (median ${median(perS("single"))})`,
    );
  });
});

// The OEE worker down across several bucket boundaries (minutes, hours, the end of a shift and of a
// local day): when it comes back, the scheduled runs catch up from the cursor in PostgreSQL, oldest
// first, and every bucket appears exactly once, equal to a run that was never interrupted.
//
// Two enterprises get the same telemetry through MQTT and the ingest worker. The jobs of one run at
// every scheduled tick of a simulated clock (undisturbed); the other's stop for 3.5 h of that clock
// and restart with a new cursor store (a new process remembers nothing). Both write through the
// real roll-up into QuestDB, and their rows are compared bucket by bucket.
import { randomBytes } from "node:crypto";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadMachineKeys } from "#lib/adapters/db/assets.ts";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { oeeCursorStore, oeeCursors } from "#lib/adapters/db/oee-cursor.ts";
import { loadMachines, type MachineInfo } from "#lib/adapters/db/plant.ts";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { QuestWriter } from "#lib/adapters/questdb/writer.ts";
import { bucketsOverlapping, type Granularity } from "#lib/domain/oee/buckets.ts";
import { type IngestWorker, startIngestWorker } from "#lib/features/ingest/worker.ts";
import { handleOeeJob, type OeeJobDeps } from "#lib/features/oee/jobs.ts";
import { oeeMetrics } from "#lib/features/oee/metrics.ts";
import { placeOf } from "#lib/features/oee/rollup.ts";
import { waitFor } from "#lib/features/stack/net.ts";
import { createLogger } from "#lib/platform/log.ts";
import { seedTestPlant, testConfig, testPlant } from "../support/stack.ts";

const env = inject("stack");
const MIN = 60_000;
const HOUR = 3_600_000;
const tag = randomBytes(3).toString("hex");
const ents = { steady: `cu${tag}a`, down: `cu${tag}b` };
const pool = questPool(env.QUESTDB_PG_URL, env.QUESTDB_PG_PASSWORD);
const writer = new QuestWriter({ httpUrl: env.QUESTDB_HTTP_URL });
const prisma = prismaFor(env.DATABASE_URL);
const ingest: IngestWorker[] = [];
const fleets = new Map<string, MachineInfo[]>();

/** One line with two machines, Dresden's shift calendar (Europe/Berlin). */
function plantOf(ent: string) {
  const plant = testPlant(ent, 2);
  const site = plant.sites[0]!;
  site.areas = [{ ...site.areas[0]!, lines: [site.areas[0]!.lines[0]!] }];
  return plant;
}

// The window: four hours around the latest local midnight at least 6 h ago, so it holds the end of
// the late shift (22:00), the end of a local day (00:00) and four hours.
let W0 = 0;
let W1 = 0;

/** Telemetry of machine k: a breakdown of 12 min every 50 min, a 90 s stop every 20 min, one unit every 10 s in 1-minute counts. */
function telemetry(k: number) {
  const states: { ts: number; state: string; reason?: string }[] = [{ ts: W0 - 30 * MIN, state: "running" }];
  for (let t = W0 + (7 + 3 * k) * MIN; t < W1; t += 50 * MIN) {
    states.push({ ts: t, state: "equipment_failure", reason: "jam" }, { ts: t + 12 * MIN, state: "running" });
  }
  for (let t = W0 + (31 + k) * MIN; t < W1; t += 20 * MIN) states.push({ ts: t, state: "idle" }, { ts: t + 90_000, state: "running" });
  states.sort((a, b) => a.ts - b.ts);
  // one state per instant (the table's DEDUP key): where two coincide, the later in the list wins
  const byTs = [...new Map(states.map((s) => [s.ts, s])).values()];
  const counts = Array.from({ length: (W1 - W0) / MIN }, (_, i) => ({
    ts: W0 + i * MIN + 59_000,
    mode: "delta",
    total: 6 - (i % 3 === k ? 1 : 0),
    reject: i % 17 === 0 ? 1 : 0,
  }));
  return { states: byTs, counts };
}

async function publishAll(): Promise<number> {
  const pub = await mqtt.connectAsync(env.MQTT_URL, { protocolVersion: 5 });
  let n = 0;
  for (const ent of Object.values(ents)) {
    for (const [k, m] of fleets.get(ent)!.entries()) {
      const { states, counts } = telemetry(k);
      for (const s of states) await pub.publishAsync(`${m.key}/state`, JSON.stringify({ v: 1, ...s, ts: new Date(s.ts).toISOString() }), { qos: 1 });
      for (const c of counts) await pub.publishAsync(`${m.key}/counts`, JSON.stringify({ v: 1, ...c, ts: new Date(c.ts).toISOString() }), { qos: 1 });
      n += states.length;
    }
  }
  await pub.endAsync();
  return n;
}

const stateRows = async () =>
  Number((await pool.query(`SELECT count() n FROM ${TABLES.state} WHERE enterprise IN ($1, $2)`, [ents.steady, ents.down])).rows[0]?.n);

beforeAll(async () => {
  for (const ent of Object.values(ents)) await seedTestPlant(env.DATABASE_URL, plantOf(ent));
  const all = await loadMachines(prisma);
  for (const ent of Object.values(ents))
    fleets.set(
      ent,
      all.filter((m) => m.enterprise === ent).sort((a, b) => a.slug.localeCompare(b.slug)),
    );
  const place = placeOf(fleets.get(ents.steady)![0]!);
  // the latest local midnight at least 6 h ago with a shift ending in the 3 h before it (weekends have none)
  const midnight = bucketsOverlapping("day", place, Date.now() - 8 * 24 * HOUR, Date.now())
    .map((d) => d.end)
    .filter((t) => t <= Date.now() - 6 * HOUR && bucketsOverlapping("shift", place, t - 3 * HOUR, t).some((s) => s.end > t - 2.5 * HOUR && s.end <= t))
    .at(-1)!;
  W0 = midnight - 3 * HOUR;
  W1 = midnight + HOUR;
  for (const ent of Object.values(ents)) {
    ingest.push(
      await startIngestWorker({
        config: testConfig(env, { INGEST_CLIENT_ID: `catch-up-${ent}`, INGEST_ENTERPRISE: ent, INGEST_FLUSH_MS: "50" }),
        log: createLogger("catch-up-test", "warn"),
        loadMachineKeys: () => loadMachineKeys(prisma),
      }),
    );
  }
  const expected = await publishAll();
  await waitFor("telemetry in QuestDB", async () => (await stateRows()) >= expected, 60_000);
  await waitWalApplied(pool, [TABLES.state, TABLES.counts]);
}, 120_000);

afterAll(async () => {
  for (const w of ingest) await w.stop();
  await writer.close();
  await pool.end();
});

const place = () => placeOf(fleets.get(ents.steady)![0]!);

const deps = (ent: string, store = oeeCursorStore(prisma, `{catch-up-${ent}}`)): OeeJobDeps => ({
  pool,
  writer,
  machines: fleets.get(ent)!,
  watermark: { get: async () => undefined, set: async () => undefined },
  cursor: store,
});

/** The "closed" jobs the schedulers would run at `now` (minutes every minute, the others every 5). */
async function tick(d: OeeJobDeps, now: number) {
  const out: Record<string, number> = {};
  const gs: Granularity[] = now % (5 * MIN) === 0 ? ["minute", "hour", "shift", "day"] : ["minute"];
  for (const g of gs) out[g] = (await handleOeeJob({ kind: "closed", granularity: g }, async () => d, now)).buckets;
  return out;
}

/** Every OEE row of an enterprise in the window, keyed by granularity, bucket and machine or roll-up key (the enterprise name taken out). */
async function rowsOf(ent: string) {
  const from = new Date(W0 - 26 * HOUR).toISOString(); // the day and the shift that close in the window started before it
  const to = new Date(W1 + HOUR).toISOString();
  const machine = await pool.query(`SELECT * FROM ${TABLES.oeeMachine} WHERE enterprise = $1 AND ts >= $2 AND ts < $3`, [ent, from, to]);
  const roll = await pool.query(`SELECT * FROM ${TABLES.oeeRollup} WHERE (key = $1 OR key LIKE $2) AND ts >= $3 AND ts < $4`, [ent, `${ent}/%`, from, to]);
  const out = new Map<string, Record<string, unknown>[]>();
  const add = (key: string, r: Record<string, unknown>) => {
    const { computed_at: _c, stored_at: _s, enterprise: _e, key: _k, ...values } = r;
    out.set(key, [...(out.get(key) ?? []), values]);
  };
  for (const r of machine.rows) add(`${r.granularity} ${new Date(r.ts).toISOString()} ${r.machine}`, r);
  for (const r of roll.rows) add(`${r.granularity} ${new Date(r.ts).toISOString()} ${r.level} ${String(r.key).replace(ent, "ENT")}`, r);
  return out;
}

describe("OEE catch-up after worker downtime", () => {
  it("computes every bucket exactly once, oldest first, equal to an undisturbed run", { timeout: 600_000 }, async () => {
    const end = W1 + 15 * MIN;
    const steady = deps(ents.steady);
    for (let now = W0; now <= end; now += MIN) await tick(steady, now);

    // down from 40 min into the window until 10 min after midnight: the late shift, three hours and the day close meanwhile
    const stopAt = W0 + 40 * MIN;
    const backAt = W0 + 3 * HOUR + 10 * MIN;
    const before = deps(ents.down);
    for (let now = W0; now < stopAt; now += MIN) await tick(before, now);
    const after = deps(ents.down, oeeCursorStore(prismaFor(env.DATABASE_URL), `{catch-up-${ents.down}}`));
    expect(await after.cursor!.get("minute")).toBe(stopAt - MIN);
    const first = await tick(after, backAt);
    // the first run after the gap computes the 150 missed minutes and every hour, shift and day that closed meanwhile
    expect(first.minute).toBeGreaterThanOrEqual((backAt - stopAt) / MIN);
    expect(first.hour).toBeGreaterThanOrEqual(3);
    expect(first.shift).toBeGreaterThanOrEqual(1);
    expect(first.day).toBeGreaterThanOrEqual(1);
    for (let now = backAt + MIN; now <= end; now += MIN) await tick(after, now);
    expect(await after.cursor!.get("minute")).toBe(end);
    // the worker's metrics read the same cursor: how far each granularity got, how far behind the clock
    const metrics = await oeeMetrics(
      () => oeeCursors(prisma, `{catch-up-${ents.down}}`),
      () => end + 30_000,
    ).registry.metrics();
    expect(metrics).toContain(`andon_oee_computed_until_seconds{granularity="minute"} ${end / 1000}`);
    expect(metrics).toContain(`andon_oee_behind_seconds{granularity="minute"} 30`);

    await waitWalApplied(pool, [TABLES.oeeMachine, TABLES.oeeRollup]);
    const want = await rowsOf(ents.steady);
    const got = await rowsOf(ents.down);
    // exactly once: one row per bucket and machine (or roll-up) in both
    for (const [key, rows] of [...want, ...got]) expect(rows, key).toHaveLength(1);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [key, [row]] of want) expect(got.get(key)![0], key).toEqual(row);

    // and the window is whole: every minute for each machine, the hours, the shift and the local day that closed in the gap
    const machineRows = (g: string) => [...want.keys()].filter((k) => k.startsWith(`${g} `) && k.split(" ").length === 3);
    expect(machineRows("minute").length).toBeGreaterThanOrEqual((2 * (end - W0)) / MIN);
    expect(machineRows("hour").length).toBeGreaterThanOrEqual(2 * 4);
    const labels = (g: string) => machineRows(g).map((k) => String(want.get(k)![0]!.label));
    const shiftEnd = bucketsOverlapping("shift", place(), W0, W1).find((b) => b.end > stopAt && b.end <= backAt)!;
    expect(labels("shift")).toContain(shiftEnd.label);
    expect(labels("day")).toContain(new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Berlin" }).format(W1 - HOUR - 1));
  });
});

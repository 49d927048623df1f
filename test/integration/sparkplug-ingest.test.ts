// Andon's ingest worker as the Sparkplug B host application (INGEST_SPARKPLUG_GROUPS), through the real
// broker, with a third-party edge node (the npm `sparkplug-client`, Eclipse Tahu's JavaScript client) as the
// device: STATE online, births and data stored on the mapped machines' channels, an unmapped metric and a
// malformed payload dead-lettered with their reasons without stopping ingest, a sequence gap answered by a
// rebirth request that the edge node obeys, nothing stored twice, and NDEATH -> the machines' state unknown.
import { randomBytes } from "node:crypto";
import mqtt from "mqtt";
import type { UPayload } from "sparkplug-client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadMachineKeys } from "#lib/adapters/db/assets.ts";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { loadSparkplugMappings } from "#lib/adapters/db/sparkplug-mappings.ts";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { decodeSparkplug } from "#lib/contract/sparkplug.ts";
import type { Principal } from "#lib/domain/auth/policy.ts";
import { removeSparkplugMapping, setSparkplugMapping, sparkplugMappings } from "#lib/features/admin/sparkplug.ts";
import { type IngestWorker, startIngestWorker } from "#lib/features/ingest/worker.ts";
import { createLogger } from "#lib/platform/log.ts";
import { sparkplugEdge } from "../support/sparkplug.ts";
import { seedTestPlant, testConfig, testPlant } from "../support/stack.ts";

const env = inject("stack");
const ent = `sp${randomBytes(3).toString("hex")}`;
const plant = testPlant(ent, 2);
const line = plant.sites[0]!.areas[0]!.lines[0]!;
const loc = `${ent}/${plant.sites[0]!.slug}/${plant.sites[0]!.areas[0]!.slug}/${line.slug}`;
const press = line.machines[0]!.slug;
const oven = line.machines[1]!.slug;
const group = `g-${ent}`;
const hostId = `andon-${ent}`;
const prisma = prismaFor(env.DATABASE_URL);
const pool = questPool(env.QUESTDB_PG_URL, env.QUESTDB_PG_PASSWORD);
let worker: IngestWorker;
let observer: mqtt.MqttClient;
const seen: { topic: string; payload: Buffer }[] = [];

const admin: Principal = { kind: "user", id: "u1", name: "admin.test", displayName: "Admin", role: "ADMIN", sites: "all" };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: string, f: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(v)})`);
    await sleep(200);
  }
}
const count = async (table: string, where = "enterprise = $1", params: unknown[] = [ent]) =>
  Number((await pool.query<{ n: string }>(`SELECT count() AS n FROM ${table} WHERE ${where}`, params)).rows[0]?.n ?? 0);
const deadLetters = async () =>
  (
    await pool.query<{ topic: string; reason: string }>(`SELECT topic, reason FROM ${TABLES.deadLetters} WHERE topic LIKE $1 ORDER BY ts`, [
      `spBv1.0/${group}/%`,
    ])
  ).rows;

beforeAll(async () => {
  await seedTestPlant(env.DATABASE_URL, plant);
  const map = (device: string, metric: string, machine: string, channel: string, field = "") =>
    setSparkplugMapping(prisma, admin, "test", { group, edgeNode: "gw1", device, metric, machine: `${loc}/${machine}`, channel, field });
  await map("press", "Status", press, "state");
  await map("press", "Good", press, "counts", "total");
  await map("press", "Scrap", press, "counts", "reject");
  await map("press", "Vibration/Velocity", press, "vibration", "velocity_rms_mm_s");
  await map("", "Line Speed", oven, "metrics", "line_speed");
  // the admin API's checks: a machine of the asset model, a field the channel has; set, replaced, removed
  await expect(map("press", "Bad", "ghost-1", "metrics", "bad")).rejects.toThrow(/no machine .*ghost-1 in the asset model/);
  await expect(map("press", "Bad", press, "counts", "sideways")).rejects.toThrow(/total or reject/);
  await map("press", "Temp", press, "metrics", "temp");
  await map("press", "Temp", press, "metrics", "temp_c");
  expect((await sparkplugMappings(prisma)).mappings.filter((m) => m.group === group && m.metric === "Temp").map((m) => m.field)).toEqual(["temp_c"]);
  await removeSparkplugMapping(prisma, admin, "test", { group, edgeNode: "gw1", device: "press", metric: "Temp" });
  await expect(removeSparkplugMapping(prisma, admin, "test", { group, edgeNode: "gw1", device: "press", metric: "Temp" })).rejects.toThrow(/no mapping/);
  expect((await sparkplugMappings(prisma)).mappings.filter((m) => m.group === group)).toHaveLength(5);
  observer = await mqtt.connectAsync(env.MQTT_URL, { protocolVersion: 5, clientId: `obs-${ent}` });
  observer.on("message", (topic, payload) => seen.push({ topic, payload }));
  await observer.subscribeAsync([`spBv1.0/${group}/#`, `spBv1.0/STATE/${hostId}`], { qos: 1 });
  worker = await startIngestWorker({
    config: testConfig(env, {
      INGEST_CLIENT_ID: `spb-test-${ent}`,
      INGEST_ENTERPRISE: ent,
      INGEST_FLUSH_MS: "50",
      INGEST_SPARKPLUG_GROUPS: group,
      INGEST_SPARKPLUG_HOST_ID: hostId,
    }),
    log: createLogger("test-sparkplug", "error"),
    loadMachineKeys: () => loadMachineKeys(prisma),
    loadSparkplugMappings: () => loadSparkplugMappings(prisma),
  });
  // publish only once the broker has granted the host's subscriptions (HiveMQ grants them later than Mosquitto)
  await worker.subscribed;
});

afterAll(async () => {
  await worker?.stop();
  await observer?.endAsync();
  await pool.end();
});

describe("Sparkplug B host application", () => {
  it("takes a third-party edge node's births and data, dead-letters what it cannot take, asks for rebirths, and marks death offline", async () => {
    const state = await until(
      "the host's STATE",
      async () =>
        seen.filter((m) => m.topic === `spBv1.0/STATE/${hostId}`).map((m) => JSON.parse(m.payload.toString()) as { online: boolean; timestamp: number }),
      (s) => s.length > 0,
    );
    expect(state[0]).toEqual({ online: true, timestamp: expect.any(Number) });

    const t0 = Date.now() - 60_000;
    let births = 0;
    const edge = sparkplugEdge(env.MQTT_URL, ent, group, true);
    // the edge node's current values (a birth carries them: a rebirth reports what is, with the time it was measured)
    const current: Record<string, { alias: number; type: string; value: unknown; timestamp: number }> = {
      Status: { alias: 10, type: "String", value: "running", timestamp: t0 },
      Good: { alias: 11, type: "UInt32", value: 100, timestamp: t0 },
      Scrap: { alias: 12, type: "UInt32", value: 2, timestamp: t0 },
      "Vibration/Velocity": { alias: 13, type: "Double", value: 1.5, timestamp: t0 },
      "Spindle Load": { alias: 14, type: "Double", value: 0.4, timestamp: t0 },
    };
    const birth = () => {
      births++;
      edge.publishNodeBirth({ timestamp: Date.now(), metrics: [{ name: "Line Speed", alias: 1, type: "Double", value: 12.5, timestamp: t0 }] });
      edge.publishDeviceBirth("press", { timestamp: Date.now(), metrics: Object.entries(current).map(([name, m]) => ({ name, ...m })) } as UPayload);
    };
    const rebirths: UPayload[] = [];
    edge.on("ncmd", (p: UPayload) => {
      if (p.metrics?.some((m) => m.name === "Node Control/Rebirth" && m.value === true)) {
        rebirths.push(p);
        birth();
      }
    });
    edge.on("birth", birth);
    await until(
      "the births stored",
      () => count(TABLES.counts),
      (n) => n >= 1,
    );

    // data by alias: a count and a state change, and a report-by-exception counter (Scrap only)
    const data = (i: number, metrics: { alias: number; type: string; value: unknown }[]) => {
      for (const m of metrics) {
        const [name] = Object.entries(current).find(([, c]) => c.alias === m.alias)!;
        current[name] = { ...m, timestamp: t0 + i * 1000 };
      }
      edge.publishDeviceData("press", { timestamp: Date.now(), metrics: metrics.map((m) => ({ ...m, timestamp: t0 + i * 1000 })) } as UPayload);
    };
    data(1, [{ alias: 11, type: "UInt32", value: 110 }]);
    data(2, [
      { alias: 10, type: "String", value: "equipment_failure" },
      { alias: 12, type: "UInt32", value: 3 },
    ]);
    data(3, [{ alias: 13, type: "Double", value: 2.25 }]);
    edge.publishNodeData({ timestamp: Date.now(), metrics: [{ alias: 1, type: "Double", value: 13, timestamp: t0 + 3000 }] } as UPayload);
    await until(
      "the data stored",
      () => count(TABLES.counts),
      (n) => n >= 3,
    );
    await until(
      "the node metric stored",
      () => count(TABLES.metrics),
      (n) => n >= 2,
    );

    // a payload that is not protobuf, published by a plain client: dead-lettered, and ingest goes on
    const raw = await mqtt.connectAsync(env.MQTT_URL, { protocolVersion: 5, clientId: `raw-${ent}` });
    await raw.publishAsync(`spBv1.0/${group}/DDATA/gw1/press`, Buffer.from([0xff, 0xff]), { qos: 1 });
    // protobuf decodes this as an empty message (a length prefix that does not fit): no seq, so not Sparkplug
    await raw.publishAsync(`spBv1.0/${group}/DDATA/gw1/press`, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f]), { qos: 1 });
    data(4, [{ alias: 11, type: "UInt32", value: 120 }]);
    await until(
      "the count after the malformed payload",
      () => count(TABLES.counts),
      (n) => n >= 4,
    );

    // a sequence gap (the edge node skips 3 numbers): the host asks for a rebirth, the edge node obeys
    expect(rebirths).toHaveLength(0);
    (edge as unknown as { seq: number }).seq += 3;
    data(5, [{ alias: 11, type: "UInt32", value: 130 }]);
    await until(
      "the rebirth request",
      async () => rebirths.length,
      (n) => n === 1,
    );
    await until(
      "the second birth",
      async () => seen.filter((m) => m.topic === `spBv1.0/${group}/DBIRTH/gw1/press`).length,
      (n) => n === 2,
    );
    expect(births).toBe(2);
    // a DDATA received twice (the same bytes again, as a broker may redeliver): another rebirth request, no second row
    const again = seen.filter((m) => m.topic === `spBv1.0/${group}/DDATA/gw1/press`).at(-1)!;
    data(6, [{ alias: 11, type: "UInt32", value: 140 }]);
    await until(
      "the count after the rebirth",
      () => count(TABLES.counts),
      (n) => n >= 6,
    );
    await raw.publishAsync(again.topic, again.payload, { qos: 1 });
    await until(
      "the second rebirth request",
      async () => rebirths.length,
      (n) => n === 2,
      20_000,
    );

    // death: the machines fed by the edge node become unknown
    edge.stop();
    await until(
      "the machines' state unknown",
      () => count(TABLES.state, "enterprise = $1 AND state = 'unknown'"),
      (n) => n >= 2,
    );
    await raw.endAsync();
    await sleep(500);
    await waitWalApplied(pool, Object.values(TABLES));

    const { rows: counts } = await pool.query<{ ts: Date; total: string; reject: string }>(
      `SELECT ts, total, reject FROM ${TABLES.counts} WHERE enterprise = $1 AND machine = $2 AND mode = 'cumulative' ORDER BY ts`,
      [ent, press],
    );
    expect(counts.map((r) => [r.ts.getTime() - t0, Number(r.total), Number(r.reject)])).toEqual([
      [0, 100, 2],
      [1000, 110, 2],
      [2000, 110, 3],
      [4000, 120, 3],
      [5000, 130, 3],
      [6000, 140, 3],
    ]);
    const { rows: st } = await pool.query<{ machine: string; state: string; reason: string | null }>(
      `SELECT machine, state, reason FROM ${TABLES.state} WHERE enterprise = $1 ORDER BY ts, machine`,
      [ent],
    );
    expect(st).toEqual([
      { machine: press, state: "running", reason: null },
      { machine: press, state: "equipment_failure", reason: null },
      ...[press, oven].sort().map((machine) => ({ machine, state: "unknown", reason: `Sparkplug NDEATH of ${group}/gw1` })),
    ]);
    const { rows: vib } = await pool.query<{ v: number }>(`SELECT velocity_rms_mm_s AS v FROM ${TABLES.vibration} WHERE enterprise = $1 ORDER BY ts`, [ent]);
    expect(vib.map((r) => r.v)).toEqual([1.5, 2.25]);
    const { rows: met } = await pool.query<{ machine: string; name: string; value: number }>(
      `SELECT machine, name, value FROM ${TABLES.metrics} WHERE enterprise = $1 ORDER BY ts`,
      [ent],
    );
    expect(met).toEqual([
      { machine: oven, name: "line_speed", value: 12.5 },
      { machine: oven, name: "line_speed", value: 13 },
    ]);

    const dead = await deadLetters();
    const reasons = dead.map((d) => `${d.topic}: ${d.reason}`);
    expect(reasons.filter((r) => /not a valid protobuf payload: premature EOF/.test(r))).toHaveLength(1);
    expect(reasons.filter((r) => /DDATA payload has no seq/.test(r))).toHaveLength(1);
    // each DBIRTH names the unmapped metric (Sparkplug's own bdSeq and Node Control metrics are not listed)
    expect(reasons.filter((r) => r.includes(`DBIRTH of ${group}/gw1/press: metrics not mapped to a machine: Spindle Load`))).toHaveLength(3);
    expect(reasons.filter((r) => /Sparkplug sequence gap: DDATA has seq \d+, expected \d+/.test(r))).toHaveLength(1);
    expect(reasons.filter((r) => /bdSeq|Node Control/.test(r))).toEqual([]);
    const ncmd = seen.filter((m) => m.topic === `spBv1.0/${group}/NCMD/gw1`);
    expect(ncmd).toHaveLength(2);
    const d = decodeSparkplug(ncmd[0]!.payload);
    expect(d.ok && d.payload.metrics.map((m) => [m.name, m.value.value])).toEqual([["Node Control/Rebirth", true]]);

    // a graceful stop sends no will: the host says offline itself (retained), with its online message's timestamp
    await worker.stop();
    const states = await until(
      "the host's STATE offline",
      async () =>
        seen.filter((m) => m.topic === `spBv1.0/STATE/${hostId}`).map((m) => JSON.parse(m.payload.toString()) as { online: boolean; timestamp: number }),
      (s) => s.some((x) => !x.online),
    );
    expect(states).toEqual([state[0], { online: false, timestamp: state[0]!.timestamp }]);
  });
});

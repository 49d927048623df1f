// The United Manufacturing Hub's data model through the real broker and worker (INGEST_UMH=1): UMH
// _historian and _analytics messages published to Mosquitto land in QuestDB as the Andon rows they
// translate to, exactly once with redeliveries, and each one Andon cannot take is dead-lettered with its reason.
import { randomBytes } from "node:crypto";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadMachineKeys } from "#lib/adapters/db/assets.ts";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import { deadLettersSince } from "#lib/adapters/questdb/read-connect.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { type IngestWorker, startIngestWorker } from "#lib/features/ingest/worker.ts";
import { createLogger } from "#lib/platform/log.ts";
import { publishAll } from "../support/publish.ts";
import { seedTestPlant, testConfig, testPlant } from "../support/stack.ts";

const env = inject("stack");
const ent = `tu${randomBytes(3).toString("hex")}`;
const plant = testPlant(ent, 2);
const site = plant.sites[0]!;
const area = site.areas[0]!;
const line = area.lines[0]!;
const loc = `${ent}/${site.slug}/${area.slug}/${line.slug}`;
const cnc = `umh/v1/${loc}/${line.machines[0]!.slug}`;
const pump = `umh/v1/${loc}/${line.machines[1]!.slug}`;

let worker: IngestWorker;
const pool = questPool(env.QUESTDB_PG_URL, env.QUESTDB_PG_PASSWORD);

beforeAll(async () => {
  await seedTestPlant(env.DATABASE_URL, plant);
  const cfg = testConfig(env, { INGEST_CLIENT_ID: `umh-test-${ent}`, INGEST_ENTERPRISE: ent, INGEST_FLUSH_MS: "50", INGEST_UMH: "1" });
  worker = await startIngestWorker({
    config: cfg,
    log: createLogger("test-umh", "warn"),
    loadMachineKeys: () => loadMachineKeys(prismaFor(env.DATABASE_URL)),
  });
  await worker.subscribed;
});

afterAll(async () => {
  await worker?.stop();
  await pool.end();
});

async function count(table: string, where = "enterprise = $1", params: unknown[] = [ent]): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(`SELECT count() AS n FROM ${table} WHERE ${where}`, params);
  return Number(rows[0]?.n ?? 0);
}

describe("UMH ingest", () => {
  it("stores UMH messages as Andon rows exactly once and dead-letters what Andon cannot take, with the reason", async () => {
    const t0 = Date.now() - 120_000;
    const sends: [string, string][] = [];
    const send = (topic: string, body: unknown) => sends.push([topic, JSON.stringify(body)]);
    const TEMPS = 20;
    for (let i = 0; i < TEMPS; i++) send(`${cnc}/_historian`, { timestamp_ms: t0 + i * 100, temperature: 20 + i / 10 });
    send(`${cnc}/_historian/head/pos`, { timestamp_ms: t0 + 1, x: 12.5, y: 7.3, z: 3.2 });
    send(`${cnc}/e5f484a1791d/_historian`, { timestamp_ms: t0 + 2, spindle: { load: 0.7, "speed-rpm": 12000 }, coolant_on: true });
    send(`${cnc}/_historian/axis/x-position`, { timestamp_ms: t0 + 3, value: 12.5 });
    const withNote = { timestamp_ms: t0 + 4, temperature_c: 154.1, notes: "sensor 1 is faulty" };
    send(`${cnc}/_historian`, withNote);
    send(`${pump}/_historian/vibration/de-bearing`, { timestamp_ms: t0 + 5, velocity_rms_mm_s: 1.12, temperature_c: 46.2, speed_rpm: 2950 });
    send(`${cnc}/_analytics/state/add`, { start_time_unix_ms: t0 + 10, state: 10000 });
    send(`${cnc}/_analytics/state/add`, { start_time_unix_ms: t0 + 60_000, state: 180000 });
    const PRODUCTS = 50;
    for (let i = 0; i < PRODUCTS; i++) {
      send(`${pump}/_analytics/product/add`, {
        external_product_id: "5678",
        start_time_unix_ms: t0 + i * 1000,
        end_time_unix_ms: t0 + i * 1000 + 900,
        quantity: 10,
        ...(i % 5 === 0 ? { bad_quantity: 1 } : {}),
      });
    }
    // a redelivery of everything above must add no rows
    const dupes = [...sends];
    const invalid: [string, unknown, RegExp][] = [
      [`umh/v1/${loc}/ghost-99/_analytics/state/add`, { start_time_unix_ms: t0 + 20, state: 10000 }, /unknown machine .*ghost-99/],
      [`${cnc}/_analytics/shift/add`, { start_time_unix_ms: t0, end_time_unix_ms: t0 + 28_800_000 }, /shifts are the site's calendar/],
      [`${cnc}/_historian`, { timestamp_ms: 1702286893, temperature_c: 154.1 }, /seconds sent instead of milliseconds/],
      [
        `umh/v1/${ent}/${site.slug}/Machining/${line.slug}/${line.machines[0]!.slug}/_historian`,
        { timestamp_ms: t0, t: 1 },
        /area "Machining" is not a valid name/,
      ],
      [`${pump}/_analytics/product/add`, { end_time_unix_ms: t0 + 5, quantity: 5, bad_quantity: 7 }, /reject \(7\) cannot exceed total \(5\)/],
    ];
    const all = [...sends, ...dupes, ...invalid.map(([t, b]) => [t, JSON.stringify(b)] as [string, string])];

    const pub = await mqtt.connectAsync(env.MQTT_URL, { protocolVersion: 5, clientId: `pub-${ent}` });
    await publishAll(pub, all);
    await pub.endAsync();

    const deadWhere = "topic LIKE $1";
    const deadParams = [`umh/v1/${ent}/%`];
    const expectedDead = invalid.length + 1; // and the strings of `withNote`
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && (await count(TABLES.deadLetters, deadWhere, deadParams)) < expectedDead) await new Promise((r) => setTimeout(r, 200));
    while (Date.now() < deadline && (await count(TABLES.counts)) < PRODUCTS) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 500));
    await waitWalApplied(pool, Object.values(TABLES));

    // metrics: TEMPS temperatures + head.pos x,y,z + coolant_on, spindle.load, spindle.speed_rpm + axis.x_position + temperature_c
    expect(await count(TABLES.metrics)).toBe(TEMPS + 3 + 3 + 1 + 1);
    const { rows: names } = await pool.query<{ name: string; n: string }>(
      `SELECT name, count() AS n FROM ${TABLES.metrics} WHERE enterprise = $1 ORDER BY name`,
      [ent],
    );
    expect(names.map((r) => [r.name, Number(r.n)])).toEqual([
      ["axis.x_position", 1],
      ["coolant_on", 1],
      ["head.pos.x", 1],
      ["head.pos.y", 1],
      ["head.pos.z", 1],
      ["spindle.load", 1],
      ["spindle.speed_rpm", 1],
      ["temperature", TEMPS],
      ["temperature_c", 1],
    ]);

    const { rows: st } = await pool.query<{ machine: string; state: string; code: number }>(
      `SELECT machine, state, code FROM ${TABLES.state} WHERE enterprise = $1 ORDER BY ts`,
      [ent],
    );
    expect(st).toEqual([
      { machine: line.machines[0]!.slug, state: "running", code: 10000 },
      { machine: line.machines[0]!.slug, state: "equipment_failure", code: 180000 },
    ]);

    const { rows: counts } = await pool.query<{ n: string; total: string; reject: string }>(
      `SELECT count() AS n, sum(total) AS total, sum(reject) AS reject FROM ${TABLES.counts} WHERE enterprise = $1 AND mode = 'delta'`,
      [ent],
    );
    expect(counts[0] && [Number(counts[0].n), Number(counts[0].total), Number(counts[0].reject)]).toEqual([PRODUCTS, PRODUCTS * 10, PRODUCTS / 5]);
    expect(await count(TABLES.counts)).toBe(PRODUCTS);

    const { rows: vib } = await pool.query<{ machine: string; sensor: string; velocity_rms_mm_s: number; speed_rpm: number }>(
      `SELECT machine, sensor, velocity_rms_mm_s, speed_rpm FROM ${TABLES.vibration} WHERE enterprise = $1`,
      [ent],
    );
    expect(vib).toEqual([{ machine: line.machines[1]!.slug, sensor: "de-bearing", velocity_rms_mm_s: 1.12, speed_rpm: 2950 }]);

    const { rows: dead } = await pool.query<{ topic: string; reason: string; payload_b64: string }>(
      `SELECT topic, reason, payload_b64 FROM ${TABLES.deadLetters} WHERE ${deadWhere}`,
      deadParams,
    );
    expect(dead).toHaveLength(expectedDead);
    for (const [topic, body, reason] of [...invalid, [`${cnc}/_historian`, withNote, /string values not stored \(Andon keeps numbers\): notes$/] as const]) {
      const row = dead.find((d) => d.topic === topic && d.payload_b64 === Buffer.from(JSON.stringify(body)).toString("base64"));
      expect(row, `dead letter for ${topic}`).toBeDefined();
      expect(row?.reason).toMatch(reason);
    }

    // the "Connect a machine" page lists a machine's UMH dead letters as its own
    const cncPath = { enterprise: ent, site: site.slug, area: area.slug, line: line.slug, machine: line.machines[0]!.slug };
    const mine = await deadLettersSince(pool, cncPath, new Date(t0 - 60_000), 10);
    expect(mine.machine.map((d) => d.topic).sort()).toEqual([`${cnc}/_analytics/shift/add`, `${cnc}/_historian`, `${cnc}/_historian`]);

    const deadLettered = await worker.metrics.deadLettered.get();
    // counted per message seen: the redelivered `withNote` counts again (its dead letter row is stored once, above)
    expect(deadLettered.values.reduce((s, v) => s + v.value, 0)).toBe(expectedDead + 1);
    const received = await worker.metrics.received.get();
    expect(received.values.reduce((s, v) => s + v.value, 0)).toBe(all.length);
  });
});

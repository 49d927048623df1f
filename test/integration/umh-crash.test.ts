// The UMH path keeps the JSON path's guarantee: a worker SIGKILLed mid-stream three times while UMH
// `_analytics/product/add` messages arrive leaves QuestDB with every one of them exactly once
// (acknowledged only once stored; a redelivery lands on the same DEDUP key, UMH's end_time_unix_ms).
import { randomBytes } from "node:crypto";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import { ensureQuestSchema } from "#lib/adapters/questdb/schema.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { freePort } from "#lib/features/stack/net.ts";
import type { Managed } from "#lib/features/stack/process.ts";
import { seedTestPlant, testPlant } from "../support/stack.ts";
import { endSession, spawnIngestWorker } from "../support/worker-process.ts";

const env = inject("stack");
const ent = `tk${randomBytes(3).toString("hex")}`;
const plant = testPlant(ent, 3);
const s = plant.sites[0]!;
const machines = s.areas.flatMap((a) => a.lines.flatMap((l) => l.machines.map((m) => `umh/v1/${ent}/${s.slug}/${a.slug}/${l.slug}/${m.slug}`)));
const pool = questPool(env.QUESTDB_PG_URL, env.QUESTDB_PG_PASSWORD);
const clientId = `umh-crash-${ent}`;
const workerEnv = {
  ...(env as unknown as Record<string, string>),
  INGEST_CLIENT_ID: clientId,
  INGEST_ENTERPRISE: ent,
  INGEST_FLUSH_MS: "100",
  INGEST_UMH: "1",
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const product = (endMs: number, quantity: number) => JSON.stringify({ external_product_id: "p-1", end_time_unix_ms: endMs, quantity });

let worker: Managed | undefined;
beforeAll(async () => {
  await seedTestPlant(env.DATABASE_URL, plant);
  await ensureQuestSchema(env.QUESTDB_HTTP_URL);
});
afterAll(async () => {
  await worker?.kill();
  await endSession(env.MQTT_URL, clientId);
  await pool.end();
});

async function counts(): Promise<{ rows: number; distinct: number; parts: number }> {
  const { rows } = await pool.query<{ n: string; d: string; p: string }>(
    `SELECT count() n, count_distinct(concat(line, '/', machine, '@', ts)) d, sum(total) p FROM ${TABLES.counts} WHERE enterprise = $1`,
    [ent],
  );
  return { rows: Number(rows[0]?.n ?? 0), distinct: Number(rows[0]?.d ?? 0), parts: Number(rows[0]?.p ?? 0) };
}

const spawnWorker = async () => spawnIngestWorker({ ...workerEnv, INGEST_METRICS_PORT: String(await freePort()) });

describe("UMH crash safety", () => {
  it("SIGKILL mid-stream of UMH product/add messages, three times, loses and duplicates nothing", { timeout: 240_000 }, async () => {
    const tStart = Date.now() - 3 * 3_600_000;
    worker = await spawnWorker();
    // until the worker's session exists (its subscription queues messages while it is away)
    const probe = await mqtt.connectAsync(env.MQTT_URL, { protocolVersion: 5, clientId: `probe-${ent}` });
    const deadlineUp = Date.now() + 60_000;
    while (Date.now() < deadlineUp) {
      await probe.publishAsync(`${machines[0]}/_analytics/product/add`, product(tStart - 1000, 1), { qos: 1 }); // one row however often
      await sleep(500);
      if ((await counts()).rows > 0) break;
    }
    await probe.endAsync();
    const base = await counts();

    const pub = await mqtt.connectAsync(env.MQTT_URL, { protocolVersion: 5, clientId: `pub-${ent}` });
    const perMachine = 1500;
    let published = 0;
    const publishing = (async () => {
      for (let i = 0; i < perMachine; i += 25) {
        const chunk: Promise<unknown>[] = [];
        for (let j = i; j < Math.min(i + 25, perMachine); j++) {
          for (const m of machines) chunk.push(pub.publishAsync(`${m}/_analytics/product/add`, product(tStart + j * 1000, 2), { qos: 1 }));
        }
        await Promise.all(chunk);
        published += chunk.length;
        await sleep(150);
      }
    })();
    for (let k = 0; k < 3; k++) {
      await sleep(1200 + k * 500);
      await worker.kill();
      await sleep(300);
      worker = await spawnWorker();
    }
    await publishing;
    await pub.endAsync();
    expect(published).toBe(perMachine * machines.length);

    const expected = base.rows + published;
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline && (await counts()).rows < expected) await sleep(500);
    await waitWalApplied(pool, [TABLES.counts]);
    await sleep(1000); // anything still arriving late would be a duplicate: give it the chance
    await waitWalApplied(pool, [TABLES.counts]);
    const final = await counts();
    expect(final.rows).toBe(expected);
    expect(final.distinct).toBe(expected);
    expect(final.parts).toBe(base.parts + 2 * published);
  });
});

// A worker SIGKILLed mid-stream several times and restarted leaves every published message in
// QuestDB exactly once.
import { randomBytes } from "node:crypto";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { questPool, waitWalApplied } from "../../lib/questdb/pg.ts";
import { ensureQuestSchema } from "../../lib/questdb/schema.ts";
import { TABLES } from "../../lib/questdb/tables.ts";
import type { Managed } from "../../lib/services/process.ts";
import { seedTestPlant, testPlant } from "../support/stack.ts";
import { spawnIngestWorker } from "../support/worker-process.ts";

const env = inject("stack");
const ent = `tc${randomBytes(3).toString("hex")}`;
const plant = testPlant(ent, 3);
const s = plant.sites[0]!;
const machines = s.areas.flatMap((a) => a.lines.flatMap((l) => l.machines.map((m) => `${ent}/${s.slug}/${a.slug}/${l.slug}/${m.slug}`)));
const pool = questPool(env.QUESTDB_PG_URL, env.QUESTDB_PG_PASSWORD);
const workerEnv = { ...env, INGEST_CLIENT_ID: `crash-${ent}`, INGEST_FLUSH_MS: "100" } as unknown as Record<string, string>;

let worker: Managed | undefined;
beforeAll(async () => {
  await seedTestPlant(env.DATABASE_URL, plant);
  await ensureQuestSchema(env.QUESTDB_HTTP_URL);
});
afterAll(async () => {
  await worker?.kill();
  await pool.end();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function counts(): Promise<{ rows: number; distinct: number }> {
  const { rows } = await pool.query<{ n: string; d: string }>(
    `SELECT count() n, count_distinct(concat(line, '/', machine, '@', ts)) d FROM ${TABLES.counts} WHERE enterprise = $1`,
    [ent],
  );
  return { rows: Number(rows[0]?.n ?? 0), distinct: Number(rows[0]?.d ?? 0) };
}

describe("crash safety", () => {
  it("SIGKILL mid-stream, three times, loses and duplicates nothing", async () => {
    worker = spawnIngestWorker(workerEnv);
    // Wait until the worker's session exists on the broker (its subscription is what queues messages).
    const probe = await mqtt.connectAsync(env.MQTT_URL, { protocolVersion: 5, clientId: `probe-${ent}` });
    const deadlineUp = Date.now() + 60_000;
    const probeTs = Date.now() - 3_600_000;
    while (Date.now() < deadlineUp) {
      // always the same message: retries collapse into one row (DEDUP)
      await probe.publishAsync(`${machines[0]}/counts`, JSON.stringify({ v: 1, ts: probeTs, mode: "delta", total: 0 }), { qos: 1 });
      if ((await counts()).rows > 0) break;
      await sleep(500);
    }
    await probe.endAsync();
    const base = (await counts()).rows;

    const pub = await mqtt.connectAsync(env.MQTT_URL, { protocolVersion: 5, clientId: `pub-${ent}` });
    const perMachine = 1500;
    const t0 = Date.now() - 30 * 60_000;
    let published = 0;
    const started = Date.now();
    const publishing = (async () => {
      // ~10 s of traffic in chunks, so the kills land mid-stream
      for (let i = 0; i < perMachine; i += 25) {
        const chunk: Promise<unknown>[] = [];
        for (let j = i; j < Math.min(i + 25, perMachine); j++) {
          for (const m of machines) chunk.push(pub.publishAsync(`${m}/counts`, JSON.stringify({ v: 1, ts: t0 + j * 1000, mode: "delta", total: 1 }), { qos: 1 }));
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
      worker = spawnIngestWorker(workerEnv);
    }
    await publishing;
    await pub.endAsync();
    console.log(`published ${published} in ${Date.now() - started} ms`);
    expect(published).toBe(perMachine * machines.length);

    const expected = base + published;
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline && (await counts()).rows < expected) await sleep(500);
    console.log(`rows complete after ${Date.now() - started} ms`);
    await worker.stop();
    await waitWalApplied(pool, [TABLES.counts]);
    const final = await counts();
    if (final.rows !== expected) {
      const { rows } = await pool.query(`SELECT machine, count() n, min(ts) lo, max(ts) hi FROM ${TABLES.counts} WHERE enterprise = $1 GROUP BY machine`, [ent]);
      console.log(rows);
      const { rows: gaps } = await pool.query(`SELECT ts, machine FROM ${TABLES.counts} WHERE enterprise = $1 AND machine = $2 ORDER BY ts`, [ent, rows[0].machine]);
      let prev = 0; const holes: string[] = [];
      for (const g of gaps) { const t = new Date(g.ts).getTime(); if (prev && t - prev > 1000) holes.push(`${(prev - t0) / 1000}..${(t - t0) / 1000}`); prev = t; }
      console.log("holes (message index ranges):", holes.join(", "));
    }
    expect(final.rows).toBe(expected);
    expect(final.distinct).toBe(expected);
  });
});

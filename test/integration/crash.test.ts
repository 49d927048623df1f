// A worker interrupted mid-stream several times and restarted leaves QuestDB with every published
// message exactly once: killed with SIGKILL (no chance to clean up), or stopped with SIGTERM
// (graceful drain).
import { randomBytes } from "node:crypto";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import { ensureQuestSchema } from "#lib/adapters/questdb/schema.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { freePort, waitFor } from "#lib/features/stack/net.ts";
import type { Managed } from "#lib/features/stack/process.ts";
import { seedTestPlant, testPlant } from "../support/stack.ts";
import { endSession, spawnIngestWorker } from "../support/worker-process.ts";

const env = inject("stack");
const ent = `tc${randomBytes(3).toString("hex")}`;
const plant = testPlant(ent, 3);
const s = plant.sites[0]!;
const machines = s.areas.flatMap((a) => a.lines.flatMap((l) => l.machines.map((m) => `${ent}/${s.slug}/${a.slug}/${l.slug}/${m.slug}`)));
const pool = questPool(env.QUESTDB_PG_URL, env.QUESTDB_PG_PASSWORD);
const clientId = `crash-${ent}`;
const workerEnv = { ...(env as unknown as Record<string, string>), INGEST_CLIENT_ID: clientId, INGEST_ENTERPRISE: ent, INGEST_FLUSH_MS: "100" };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

async function counts(): Promise<{ rows: number; distinct: number }> {
  const { rows } = await pool.query<{ n: string; d: string }>(
    `SELECT count() n, count_distinct(concat(line, '/', machine, '@', ts)) d FROM ${TABLES.counts} WHERE enterprise = $1`,
    [ent],
  );
  return { rows: Number(rows[0]?.n ?? 0), distinct: Number(rows[0]?.d ?? 0) };
}

let metricsPort = 0;
async function spawnWorker(): Promise<Managed> {
  metricsPort = await freePort();
  return spawnIngestWorker({ ...workerEnv, INGEST_METRICS_PORT: String(metricsPort) });
}

/** Until the worker serves /health, i.e. it has started (signal handlers, session, subscription). */
async function waitReady(): Promise<void> {
  await waitFor(
    "worker",
    () =>
      fetch(`http://127.0.0.1:${metricsPort}/health`).then(
        (r) => r.ok,
        () => false,
      ),
    60_000,
    100,
  );
}

/** Publishes ~10 s of counts while `interrupt` stops and restarts the worker three times. */
async function streamWithInterruptions(tStart: number, interrupt: (w: Managed) => Promise<void>): Promise<void> {
  worker ??= await spawnWorker();
  // Wait until the worker's session exists (its subscription is what queues messages while it is away).
  const probe = await mqtt.connectAsync(env.MQTT_URL, { protocolVersion: 5, clientId: `probe-${ent}` });
  const deadlineUp = Date.now() + 60_000;
  while (Date.now() < deadlineUp) {
    // always the same message: retries collapse into one row (DEDUP)
    await probe.publishAsync(`${machines[0]}/counts`, JSON.stringify({ v: 1, ts: tStart - 1000, mode: "delta", total: 0 }), { qos: 1 });
    await sleep(500);
    const { rows } = await pool.query(`SELECT count() n FROM ${TABLES.counts} WHERE enterprise = $1 AND ts = $2`, [ent, new Date(tStart - 1000)]);
    if (Number(rows[0]?.n) > 0) break;
  }
  await probe.endAsync();
  const base = (await counts()).rows;

  const pub = await mqtt.connectAsync(env.MQTT_URL, { protocolVersion: 5, clientId: `pub-${ent}` });
  const perMachine = 1500;
  let published = 0;
  const publishing = (async () => {
    for (let i = 0; i < perMachine; i += 25) {
      const chunk: Promise<unknown>[] = [];
      for (let j = i; j < Math.min(i + 25, perMachine); j++) {
        for (const m of machines)
          chunk.push(pub.publishAsync(`${m}/counts`, JSON.stringify({ v: 1, ts: tStart + j * 1000, mode: "delta", total: 1 }), { qos: 1 }));
      }
      await Promise.all(chunk);
      published += chunk.length;
      await sleep(150);
    }
  })();
  for (let k = 0; k < 3; k++) {
    await sleep(1200 + k * 500);
    await interrupt(worker);
    worker = await spawnWorker();
  }
  await publishing;
  await pub.endAsync();
  expect(published).toBe(perMachine * machines.length);

  const expected = base + published;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline && (await counts()).rows < expected) await sleep(500);
  await waitWalApplied(pool, [TABLES.counts]);
  await sleep(1000); // anything still arriving late would be a duplicate: give it the chance
  await waitWalApplied(pool, [TABLES.counts]);
  const final = await counts();
  expect(final.rows).toBe(expected);
  expect(final.distinct).toBe(expected);
}

describe("crash safety", () => {
  it("SIGKILL mid-stream, three times, loses and duplicates nothing", { timeout: 240_000 }, async () => {
    await streamWithInterruptions(Date.now() - 4 * 3_600_000, async (w) => {
      await w.kill();
      await sleep(300);
    });
  });

  it("SIGTERM mid-stream (graceful drain), three times, loses and duplicates nothing", { timeout: 240_000 }, async () => {
    await streamWithInterruptions(Date.now() - 2 * 3_600_000, async (w) => {
      await waitReady(); // a graceful drain needs a started worker (before that, nothing was acknowledged)
      const exited = new Promise<number | null>((r) => w.child.once("exit", (code) => r(code)));
      await w.stop(30_000);
      expect(await exited).toBe(0);
    });
  });
});

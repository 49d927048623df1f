// QuestDB stopped for a while under load, then restarted: nothing lost, the worker's memory stays
// bounded (it stops acknowledging; the broker holds the backlog), and it recovers by itself.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import { ensureQuestSchema } from "#lib/adapters/questdb/schema.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { freePort } from "#lib/features/stack/net.ts";
import { type Managed, rssMb } from "#lib/features/stack/process.ts";
import type { QuestDbInstance } from "#lib/features/stack/questdb.ts";
import { repoRoot } from "#lib/platform/config.ts";
import { seedTestPlant, startQuestDbForTest, testPlant } from "../support/stack.ts";
import { endSession, spawnIngestWorker } from "../support/worker-process.ts";

const env = inject("stack");
const ent = `to${randomBytes(3).toString("hex")}`;
const plant = testPlant(ent, 2);
const s = plant.sites[0]!;
const machines = s.areas.flatMap((a) => a.lines.flatMap((l) => l.machines.map((m) => `${ent}/${s.slug}/${a.slug}/${l.slug}/${m.slug}`)));
const dir = mkdtempSync(join(tmpdir(), "andon-outage-"));
const RECEIVE_MAX = 1000;
let quest: QuestDbInstance;
let worker: Managed | undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  await seedTestPlant(env.DATABASE_URL, plant);
  quest = await startQuestDbForTest(dir);
  await ensureQuestSchema(quest.httpUrl);
});
afterAll(async () => {
  await worker?.kill();
  await endSession(env.MQTT_URL, `outage-${ent}`);
  await quest?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function health(port: number): Promise<{ pending: number; pendingMax: number; heldAcks: number }> {
  const res = await fetch(`http://127.0.0.1:${port}/health`);
  return (await res.json()) as { pending: number; pendingMax: number; heldAcks: number };
}

/** The ingest worker of this test's session (one client id: the second test resumes the first's session). */
async function startWorker(receiveMaximum: number, batchRows: number): Promise<number> {
  const metricsPort = await freePort();
  worker = spawnIngestWorker(
    {
      ...(env as unknown as Record<string, string>),
      QUESTDB_HTTP_URL: quest.httpUrl,
      INGEST_CLIENT_ID: `outage-${ent}`,
      INGEST_ENTERPRISE: ent,
      INGEST_RECEIVE_MAXIMUM: String(receiveMaximum),
      INGEST_BATCH_ROWS: String(batchRows),
      INGEST_METRICS_PORT: String(metricsPort),
      LOG_LEVEL: "info",
    },
    join(repoRoot, ".andon", "test-outage-worker.log"),
  );
  return metricsPort;
}

describe("QuestDB outage", () => {
  it("holds acknowledgements while QuestDB is down and writes everything once it is back", { timeout: 240_000 }, async () => {
    const metricsPort = await startWorker(RECEIVE_MAX, 500);
    await expect
      .poll(
        () =>
          health(metricsPort)
            .then(() => true)
            .catch(() => false),
        { timeout: 60_000, interval: 300 },
      )
      .toBe(true);
    await sleep(500); // subscription in place

    const pub = await mqtt.connectAsync(env.MQTT_URL, { protocolVersion: 5, clientId: `pub-${ent}` });
    const t0 = Date.now() - 3_600_000;
    let seq = 0;
    const publish = async (n: number) => {
      const batch: Promise<unknown>[] = [];
      for (let i = 0; i < n; i++, seq++) {
        const m = machines[seq % machines.length];
        batch.push(pub.publishAsync(`${m}/vibration`, JSON.stringify({ v: 1, ts: t0 + seq, velocity_rms_mm_s: 1 + (seq % 100) / 100 }), { qos: 1 }));
      }
      await Promise.all(batch);
    };

    await publish(2000);
    await quest.stop();
    let maxPending = 0;
    let maxRss = 0;
    // 20,000 messages while QuestDB is down: 20x what the worker may hold.
    for (let k = 0; k < 20; k++) {
      await publish(1000);
      const h = await health(metricsPort);
      maxPending = Math.max(maxPending, h.pending);
      maxRss = Math.max(maxRss, rssMb(worker?.child.pid ?? 0));
      await sleep(100);
    }
    for (let k = 0; k < 10; k++) {
      const h = await health(metricsPort);
      // the worker's own high-water mark: every moment counts, not only the ones we sampled
      maxPending = Math.max(maxPending, h.pending, h.pendingMax);
      await sleep(200);
    }
    expect(maxPending).toBeGreaterThan(0);
    expect(maxPending).toBeLessThanOrEqual(RECEIVE_MAX);
    console.log(`during the outage: max pending ${maxPending} messages, max worker RSS ${maxRss.toFixed(0)} MB`);

    // restart QuestDB on the same data directory and ports
    quest = await quest.restart();
    await publish(2000);
    await pub.endAsync();

    const pool = questPool(quest.pgUrl, quest.pgPassword);
    try {
      const count = async () => Number((await pool.query<{ n: string }>(`SELECT count() n FROM ${TABLES.vibration} WHERE enterprise = $1`, [ent])).rows[0]?.n);
      await expect.poll(count, { timeout: 120_000, interval: 500 }).toBe(seq);
      await waitWalApplied(pool, [TABLES.vibration]);
      expect(await count()).toBe(seq);
      expect((await health(metricsPort)).pending).toBe(0);
    } finally {
      await pool.end();
    }
  });

  it("takes a backlog no faster than it may hold it, whatever the broker sends", { timeout: 240_000 }, async () => {
    // Mosquitto 2.0 sends up to a whole receive maximum more on each PUBACK while a backlog waits
    // (lib/adapters/mqtt/flow-control.ts); the worker's own bound must hold anyway.
    const RM = 200;
    await worker?.stop();
    const pub = await mqtt.connectAsync(env.MQTT_URL, { protocolVersion: 5, clientId: `pub2-${ent}` });
    const t0 = Date.now() - 1_800_000;
    const n = 6000;
    for (let k = 0; k < n; k += 1000) {
      await Promise.all(
        Array.from({ length: 1000 }, (_, i) =>
          pub.publishAsync(`${machines[(k + i) % machines.length]}/counts`, JSON.stringify({ v: 1, ts: t0 + k + i, mode: "delta", total: 1 }), { qos: 1 }),
        ),
      );
    }
    await pub.endAsync();
    const metricsPort = await startWorker(RM, 50);
    const pool = questPool(quest.pgUrl, quest.pgPassword);
    try {
      const count = async () => Number((await pool.query<{ n: string }>(`SELECT count() n FROM ${TABLES.counts} WHERE enterprise = $1`, [ent])).rows[0]?.n);
      await expect.poll(count, { timeout: 120_000, interval: 500 }).toBe(n);
      const h = await health(metricsPort);
      console.log(`backlog of ${n}: the worker held at most ${h.pendingMax} messages (receive maximum ${RM})`);
      expect(h.pendingMax).toBeGreaterThan(0);
      expect(h.pendingMax).toBeLessThanOrEqual(RM);
    } finally {
      await pool.end();
    }
  });
});

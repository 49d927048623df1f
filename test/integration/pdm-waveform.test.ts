// Waveform snapshots in QuestDB through the waveform scan in its BullMQ sandboxed processor (a child
// process, as the pdm worker runs it) into alerts in PostgreSQL and on MQTT: the running machine's
// degrading bearing raises drift alerts on the envelope at its outer-race defect frequency; the
// stopped machine, sending the same snapshots, is never scored; the job run again (a redelivery)
// reads nothing new and raises nothing new.
import { randomBytes } from "node:crypto";
import { QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import { ensureQuestSchema } from "#lib/adapters/questdb/schema.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { QuestWriter } from "#lib/adapters/questdb/writer.ts";
import { pdmWaveformQueue } from "#lib/adapters/queues/pdm.ts";
import { alertsTopic } from "#lib/contract/topics.ts";
import { telemetryRows } from "#lib/features/ingest/mapping.ts";
import { waveformStateKey } from "#lib/features/pdm/waveform-scan.ts";
import { mulberry32 } from "#lib/features/sim/prng.ts";
import { synthWaveform } from "#lib/features/sim/waveform.ts";
import { pdmWaveformWorker } from "../../workers/pdm-waveform.processor.ts";
import { seedTestPlant, testPlant } from "../support/stack.ts";

const env = inject("stack");
const ent = `tw${randomBytes(3).toString("hex")}`;
const plant = testPlant(ent, 2);
const site = plant.sites[0]!;
site.areas = site.areas.slice(0, 1).map((a) => ({ ...a, lines: a.lines.slice(0, 1) }));
const line = site.areas[0]!.lines[0]!;
// both machines: cnc-01's waveform sensor and bearing (6000 rpm, 9 rolling elements)
line.machines[1] = { ...line.machines[0]!, slug: line.machines[1]!.slug, name: line.machines[1]!.name };
const path = (k: number) => ({ enterprise: ent, site: site.slug, area: site.areas[0]!.slug, line: line.slug, machine: line.machines[k]!.slug });
const key = (k: number) => Object.values(path(k)).join("/");
const prisma = prismaFor(env.DATABASE_URL);
const pool = questPool(env.QUESTDB_PG_URL, env.QUESTDB_PG_PASSWORD);
const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
const prefix = `{test-${ent}}`;
const messages: { change: string; cause: string; machine: string }[] = [];
let client: mqtt.MqttClient;
const T = Date.now() - 3 * 3_600_000;
const SNAPSHOTS = 120; // one a minute; the last 30 from a degrading bearing
const bearing = line.machines[0]!;

beforeAll(async () => {
  await seedTestPlant(env.DATABASE_URL, plant);
  await ensureQuestSchema(env.QUESTDB_HTTP_URL);
  client = await mqtt.connectAsync(env.MQTT_URL, { protocolVersion: 5 });
  client.on("message", (_t, p) => messages.push(JSON.parse(p.toString())));
  await client.subscribeAsync(alertsTopic({ enterprise: ent, site: site.slug }), { qos: 1 });
  const writer = new QuestWriter({ httpUrl: env.QUESTDB_HTTP_URL });
  const rows = [];
  rows.push(...telemetryRows(path(0), { channel: "state", msg: { v: 1, ts: (T - 1000) * 1000, state: "running" } } as never));
  rows.push(...telemetryRows(path(1), { channel: "state", msg: { v: 1, ts: (T - 1000) * 1000, state: "stopped" } } as never));
  const rng = mulberry32(11);
  for (let i = 0; i < SNAPSHOTS; i++) {
    const samples = synthWaveform(rng, { sampleRateHz: 10240, n: 2048, speedRpm: 6000, degradation: i < 90 ? 0 : 0.3, bearing });
    for (const k of [0, 1]) {
      const msg = { v: 1, ts: (T + i * 60_000) * 1000, sensor: "de-bearing", unit: "g", sample_rate_hz: 10240, speed_rpm: 6000, samples };
      rows.push(...telemetryRows(path(k), { channel: "waveform", msg } as never));
    }
  }
  await writer.write(rows);
  await writer.close();
  await waitWalApplied(pool, [TABLES.state, TABLES.waveform]);
});

afterAll(async () => {
  await client?.endAsync();
  redis.disconnect();
  await pool.end();
});

describe("waveform scan in a sandboxed processor", () => {
  it("computes features in a child process, alerts on the running machine's bearing only, and a re-run changes nothing", async () => {
    const worker = pdmWaveformWorker(redis, prefix, { ...process.env, ...env, LOG_LEVEL: "warn", QUEUE_PREFIX: prefix });
    const queue = pdmWaveformQueue(redis, prefix);
    const events = new QueueEvents(queue.name, { connection: redis.duplicate(), prefix });
    try {
      await events.waitUntilReady();
      const now = T + SNAPSHOTS * 60_000;
      const first = await (await queue.add("waveform-scan", { now, enterprise: ent })).waitUntilFinished(events, 120_000);
      expect(first.processorPid).toBeGreaterThan(0);
      expect(first.processorPid).not.toBe(process.pid);
      expect(first).toMatchObject({ machines: 2, snapshots: 2 * SNAPSHOTS, skipped: 0 });
      const alerts = await prisma.alert.findMany({ where: { siteKey: `${ent}/${site.slug}` } });
      expect(alerts.length).toBeGreaterThan(0);
      expect(new Set(alerts.map((a) => a.machineKey))).toEqual(new Set([key(0)]));
      const bpfo = alerts.find((a) => a.cause === "drift:waveform/envelope_bpfo_g");
      expect(bpfo).toMatchObject({ severity: "WARNING", status: "OPEN", detectorVersion: "robust-ewma-envelope@v1" });
      expect(bpfo!.value).toBeGreaterThan(5 * (bpfo!.baseline as number));
      expect(bpfo!.suggestedAction).toContain("BPFO");
      // no alert before the bearing started to degrade: every onset is in the degraded part
      for (const a of alerts) expect(a.onsetAt.getTime()).toBeGreaterThanOrEqual(T + 90 * 60_000);
      await expect.poll(() => messages.filter((m) => m.change === "opened").length).toBe(alerts.length);
      const saved = JSON.parse((await redis.get(waveformStateKey(prefix, key(0)))) ?? "{}");
      expect(saved.watermark).toBe(T + (SNAPSHOTS - 1) * 60_000);

      // the same job again, as after a redelivery: nothing new is read, raised or published
      const again = await (await queue.add("waveform-scan", { now, enterprise: ent })).waitUntilFinished(events, 120_000);
      expect(again).toMatchObject({ snapshots: 0, raised: 0 });
      expect(await prisma.alert.count({ where: { siteKey: `${ent}/${site.slug}` } })).toBe(alerts.length);
      expect(messages.filter((m) => m.change === "opened").length).toBe(alerts.length);
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
    }
  });
});

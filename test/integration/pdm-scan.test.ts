// Vibration telemetry in QuestDB through the scan into alerts in PostgreSQL and on the MQTT alerts
// topic, with the per-feature detectors (robust-ewma@v4, the live detector before t2q-live@v1; the
// default is tested in pdm-scan-multivariate.test.ts): an ISO zone D velocity is a critical alert, a
// drift from the learned baseline a warning; nothing is learned or scored while the machine is
// stopped; a machine that sends no state at all (a retrofitted sensor) is judged running by its own
// vibration; a repeated scan (redelivery) changes nothing.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { loadMachines } from "#lib/adapters/db/plant.ts";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import { ensureQuestSchema } from "#lib/adapters/questdb/schema.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { QuestWriter } from "#lib/adapters/questdb/writer.ts";
import { alertsTopic } from "#lib/contract/topics.ts";
import { DETECTOR_V4 } from "#lib/domain/pdm/detector.ts";
import { telemetryRows } from "#lib/features/ingest/mapping.ts";
import { scanVibration } from "#lib/features/pdm/scan.ts";
import { seedTestPlant, testPlant } from "../support/stack.ts";

const env = inject("stack");
const ent = `tp${randomBytes(3).toString("hex")}`;
const plant = testPlant(ent, 3);
const site = plant.sites[0]!;
site.areas = site.areas.slice(0, 1).map((a) => ({ ...a, lines: a.lines.slice(0, 1) }));
const line = site.areas[0]!.lines[0]!;
const path = (k: number) => ({ enterprise: ent, site: site.slug, area: site.areas[0]!.slug, line: line.slug, machine: line.machines[k]!.slug });
const key = (k: number) => Object.values(path(k)).join("/");
const prisma = prismaFor(env.DATABASE_URL);
const pool = questPool(env.QUESTDB_PG_URL, env.QUESTDB_PG_PASSWORD);
const redis = new Redis(env.REDIS_URL);
const messages: { change: string; cause: string; severity: string; machine: string }[] = [];
let client: mqtt.MqttClient;
const T = Date.now() - 20 * 60_000;

beforeAll(async () => {
  await seedTestPlant(env.DATABASE_URL, plant);
  await ensureQuestSchema(env.QUESTDB_HTTP_URL);
  client = await mqtt.connectAsync(env.MQTT_URL, { protocolVersion: 5 });
  client.on("message", (_t, p) => messages.push(JSON.parse(p.toString())));
  await client.subscribeAsync(alertsTopic({ enterprise: ent, site: site.slug }), { qos: 1 });
  const writer = new QuestWriter({ httpUrl: env.QUESTDB_HTTP_URL });
  const rows = [];
  const jitter = (i: number) => ((i * 7919) % 100) / 1000; // deterministic ±0.05
  // machine 0 runs: 420 s of velocity near 1.0 mm/s, then 60 s at 5.0 mm/s (zone D for group 2 rigid)
  rows.push(...telemetryRows(path(0), { channel: "state", msg: { v: 1, ts: (T - 1000) * 1000, state: "running" } } as never));
  for (let i = 0; i < 480; i++) {
    const v = i < 420 ? 1.0 + jitter(i) : 5.0 + jitter(i);
    rows.push(
      ...telemetryRows(path(0), { channel: "vibration", msg: { v: 1, ts: (T + i * 1000) * 1000, sensor: "de-bearing", velocity_rms_mm_s: v } } as never),
    );
  }
  // machine 1 is stopped the whole time, with the same zone D values: never scored
  rows.push(...telemetryRows(path(1), { channel: "state", msg: { v: 1, ts: (T - 1000) * 1000, state: "stopped" } } as never));
  for (let i = 0; i < 480; i++) {
    rows.push(
      ...telemetryRows(path(1), { channel: "vibration", msg: { v: 1, ts: (T + i * 1000) * 1000, sensor: "de-bearing", velocity_rms_mm_s: 5.0 } } as never),
    );
  }
  // machine 2 sends vibration only, no state message ever: the same pattern as machine 0, running by its vibration
  for (let i = 0; i < 480; i++) {
    const v = i < 420 ? 1.0 + jitter(i) : 5.0 + jitter(i);
    rows.push(
      ...telemetryRows(path(2), { channel: "vibration", msg: { v: 1, ts: (T + i * 1000) * 1000, sensor: "de-bearing", velocity_rms_mm_s: v } } as never),
    );
  }
  await writer.write(rows);
  await writer.close();
  await waitWalApplied(pool, [TABLES.state, TABLES.vibration]);
});

afterAll(async () => {
  await client?.endAsync();
  redis.disconnect();
  await pool.end();
});

describe("vibration scan", () => {
  it("raises a critical zone alert and a drift warning for the running machines only (by state, or by vibration without states), once, explained", async () => {
    const machines = (await loadMachines(prisma)).filter((m) => m.enterprise === ent);
    const deps = {
      pool,
      machines,
      store: redis,
      keyPrefix: `{test-${ent}}`,
      params: DETECTOR_V4,
      alerts: { prisma, publish: async (t: string, p: string) => void (await client.publishAsync(t, p, { qos: 1 })) },
    };
    const r = await scanVibration(deps);
    expect(r.samples).toBe(1440);
    // four conditions, four alerts opened (a signal of a condition already active counts as updated)
    expect(r.raised).toBe(4);
    const alerts = await prisma.alert.findMany({ where: { siteKey: `${ent}/${site.slug}` }, orderBy: [{ machineKey: "asc" }, { cause: "asc" }] });
    expect(alerts.map((a) => [a.machineKey, a.cause, a.severity, a.status])).toEqual([
      [key(0), "drift:velocity_rms_mm_s", "WARNING", "OPEN"],
      [key(0), "zone:velocity_rms_mm_s", "CRITICAL", "OPEN"],
      [key(2), "drift:velocity_rms_mm_s", "WARNING", "OPEN"],
      [key(2), "zone:velocity_rms_mm_s", "CRITICAL", "OPEN"],
    ]);
    expect(alerts[3]).toMatchObject({ zone: "D", value: expect.closeTo(5.0, 1) });
    const zone = alerts[1]!;
    expect(zone).toMatchObject({ zone: "D", value: expect.closeTo(5.0, 1) });
    expect(zone.explanation).toContain("zone D");
    const drift = alerts[0]!;
    expect(drift.baseline).toBeCloseTo(1.05, 1);
    expect(drift.detectorVersion).toBe("robust-ewma@v4");
    expect(drift.explanation).toMatch(/against a baseline of 1\.0\d\d learned while running/);
    await expect
      .poll(() =>
        messages
          .filter((m) => m.change === "opened")
          .map((m) => m.cause)
          .sort(),
      )
      .toEqual(["drift:velocity_rms_mm_s", "drift:velocity_rms_mm_s", "zone:velocity_rms_mm_s", "zone:velocity_rms_mm_s"]);

    // the same scan again (a redelivered job): no new samples, no new alerts
    const again = await scanVibration(deps);
    expect(again).toMatchObject({ samples: 0, raised: 0, updated: 0 });
    expect(await prisma.alert.count({ where: { siteKey: `${ent}/${site.slug}` } })).toBe(4);
  });
});

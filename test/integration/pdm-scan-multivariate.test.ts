// The live vibration scan's default detector (t2q-live@v2, lib/domain/pdm/live-multivariate.ts)
// through the real services: vibration messages in QuestDB (speed included), the detector's state in
// Redis between scans, alerts in PostgreSQL. A machine runs 10 h at changing speeds (vibration
// following the speed) and learns; then its bearing vibration rises at the same speeds: one
// multivariate drift alert, explained; its speed changes alone raise nothing; a repeated scan
// (a redelivery) changes nothing.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { loadMachines, type MachineInfo } from "#lib/adapters/db/plant.ts";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import type { Row } from "#lib/adapters/questdb/rows.ts";
import { ensureQuestSchema } from "#lib/adapters/questdb/schema.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { QuestWriter } from "#lib/adapters/questdb/writer.ts";
import { telemetryRows } from "#lib/features/ingest/mapping.ts";
import { featureStateKey, scanVibration } from "#lib/features/pdm/scan.ts";
import { mulberry32, normal } from "#lib/features/sim/prng.ts";
import { seedTestPlant, testPlant } from "../support/stack.ts";

const env = inject("stack");
const ent = `tm${randomBytes(3).toString("hex")}`;
const plant = testPlant(ent, 1);
const site = plant.sites[0]!;
site.areas = site.areas.slice(0, 1).map((a) => ({ ...a, lines: a.lines.slice(0, 1) }));
const line = site.areas[0]!.lines[0]!;
const path = { enterprise: ent, site: site.slug, area: site.areas[0]!.slug, line: line.slug, machine: line.machines[0]!.slug };
const prisma = prismaFor(env.DATABASE_URL);
const pool = questPool(env.QUESTDB_PG_URL, env.QUESTDB_PG_PASSWORD);
const redis = new Redis(env.REDIS_URL);
const STEP = 2 * 60_000;
const HEALTHY = 330; // 11 h of messages every 2 min: 8 h to learn, then 3 h scored
const FAULTY = 40;
const T = Math.floor((Date.now() - (HEALTHY + FAULTY + 10) * STEP) / STEP) * STEP;
const end = T + (HEALTHY + FAULTY) * STEP;
let machines: MachineInfo[];

beforeAll(async () => {
  await seedTestPlant(env.DATABASE_URL, plant);
  await ensureQuestSchema(env.QUESTDB_HTTP_URL);
  machines = (await loadMachines(prisma)).filter((m) => m.enterprise === ent);
  const nominal = machines[0]!.nominalSpeedRpm!;
  const rng = mulberry32(11);
  const rows: Row[] = [...telemetryRows(path, { channel: "state", msg: { v: 1, ts: (T - 1000) * 1000, state: "running" } } as never)];
  for (let i = 0; i < HEALTHY + FAULTY; i++) {
    const speed = [1, 0.9, 1.05, 0.7][Math.floor(i / 20) % 4]!; // a new speed every 40 min
    const fault = i < HEALTHY ? 0 : Math.min(1, (i - HEALTHY) / 10);
    const msg = {
      v: 1,
      ts: (T + i * STEP) * 1000,
      sensor: "de-bearing",
      velocity_rms_mm_s: 1.0 * speed ** 1.5 * (1 + 0.6 * fault) * normal(rng, 1, 0.04),
      accel_rms_g: 0.25 * speed ** 2 * (1 + 0.8 * fault) * normal(rng, 1, 0.04),
      crest_factor: normal(rng, 3 + fault, 0.1),
      kurtosis: normal(rng, 3 + 2 * fault, 0.15),
      temperature_c: normal(rng, 45, 0.3),
      speed_rpm: nominal * speed,
    };
    rows.push(...telemetryRows(path, { channel: "vibration", msg } as never));
  }
  const writer = new QuestWriter({ httpUrl: env.QUESTDB_HTTP_URL });
  await writer.write(rows);
  await writer.close();
  await waitWalApplied(pool, [TABLES.state, TABLES.vibration]);
});

afterAll(async () => {
  redis.disconnect();
  await pool.end();
});

describe("vibration scan, multivariate (the default)", () => {
  it("learns through speed changes, then raises one explained drift alert when the vibration rises at the same speeds", async () => {
    const deps = { pool, machines, store: redis, keyPrefix: `{test-${ent}}`, alerts: { prisma } };
    const alerts = () => prisma.alert.findMany({ where: { siteKey: `${ent}/${site.slug}` } });
    // the healthy part, in scans an hour apart: the detector's state goes through Redis each time
    let samples = 0;
    for (let now = T + 3_600_000; now < T + HEALTHY * STEP; now += 3_600_000) samples += (await scanVibration({ ...deps, now })).samples;
    samples += (await scanVibration({ ...deps, now: T + HEALTHY * STEP - 1 })).samples;
    expect(samples).toBe(HEALTHY);
    const saved = JSON.parse((await redis.get(featureStateKey(`{test-${ent}}`, machines[0]!.key)))!);
    expect(saved.detectors.version).toBe("t2q-live@v2");
    expect(saved.detectors.detector.model).toBeDefined(); // learned (8 h), then scored 3 h of speed changes
    expect(await alerts()).toEqual([]);

    const r = await scanVibration({ ...deps, now: end });
    expect(r.samples).toBe(FAULTY);
    const raised = await alerts();
    expect(raised.map((a) => [a.cause, a.severity, a.status, a.detectorVersion])).toEqual([["drift:multivariate", "WARNING", "OPEN", "t2q-live@v2"]]);
    const a = raised[0]!;
    expect(a.onsetAt.getTime()).toBeGreaterThan(T + HEALTHY * STEP);
    expect(["velocity_rms_mm_s", "accel_rms_g", "crest_factor", "kurtosis"]).toContain(a.feature);
    expect(a.value).toBeGreaterThan(a.baseline!);
    expect(a.zone).toMatch(/^[AB]$/);
    expect(a.explanation).toMatch(
      /^vibration off its learned running pattern at \d+ % speed \(T²\+SPE [\d.]+, threshold [\d.]+; learned over the first 8 h of running\): /,
    );
    expect(a.explanation).toMatch(/ against [\d.]+ \(\d+ %\)/);
    console.log(
      `multivariate alert: ${a.feature} ${a.value.toFixed(3)} (baseline ${a.baseline?.toFixed(3)}) zone ${a.zone}: ${a.explanation} -> ${a.suggestedAction}`,
    );

    // the same scan again (a redelivered job): nothing new
    expect((await scanVibration({ ...deps, now: end })).samples).toBe(0);
    expect(await prisma.alert.count({ where: { siteKey: `${ent}/${site.slug}` } })).toBe(1);
  });
});

// Isolated services for one test or benchmark run: Mosquitto, Redis and QuestDB on free ports in a temp folder,
// and a fresh PostgreSQL database on the configured server. Never touches the shared instances.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { ensureDatabase, migrate } from "#lib/adapters/db/migrate.ts";
import { type PlantFile, readPlantFile } from "#lib/adapters/db/plant.ts";
import { seedPlant } from "#lib/adapters/db/seed.ts";
import { startHiveMq } from "#lib/features/stack/hivemq.ts";
import { startMosquitto, startRedis } from "#lib/features/stack/local-servers.ts";
import { freePort } from "#lib/features/stack/net.ts";
import type { Managed } from "#lib/features/stack/process.ts";
import { ensureQuestDbJar, type QuestDbInstance, startQuestDb } from "#lib/features/stack/questdb.ts";
import { config, parseConfig, repoRoot } from "#lib/platform/config.ts";

export interface StackEnv {
  MQTT_URL: string;
  REDIS_URL: string;
  DATABASE_URL: string;
  QUESTDB_HTTP_URL: string;
  QUESTDB_PG_URL: string;
  QUESTDB_PG_PASSWORD: string;
  ANDON_HOME: string;
  MOSQUITTO_DIR: string;
  MOSQUITTO_PORT: string;
  /** which broker this stack runs (ANDON_TEST_BROKER: mosquitto, the default, or hivemq) */
  BROKER: "mosquitto" | "hivemq";
}

/** The broker of the isolated stack: ANDON_TEST_BROKER=mosquitto|hivemq (docs/deployment.md). */
export function testBroker(): "mosquitto" | "hivemq" {
  const b = process.env.ANDON_TEST_BROKER ?? "mosquitto";
  if (b !== "mosquitto" && b !== "hivemq") throw new Error(`ANDON_TEST_BROKER must be mosquitto or hivemq, not ${b}`);
  return b;
}

export async function startScratchQuestDb(dir: string): Promise<QuestDbInstance> {
  const jar = await ensureQuestDbJar(config().ANDON_HOME, config().QUESTDB_VERSION);
  return startQuestDb({
    jar,
    root: join(dir, `questdb-${randomBytes(3).toString("hex")}`),
    ports: { http: await freePort(), pg: await freePort(), ilp: await freePort(), health: await freePort() },
    pgPassword: randomBytes(12).toString("hex"),
    httpPassword: randomBytes(12).toString("hex"),
    heap: "768m",
  });
}

export async function createScratchDatabase(): Promise<string> {
  const base = new URL(config().DATABASE_URL);
  base.pathname = `/andon_scratch_${Date.now()}_${randomBytes(3).toString("hex")}`;
  const url = base.toString();
  await ensureDatabase(url);
  await migrate(url, join(repoRoot, "prisma", "migrations"));
  return url;
}

export async function dropScratchDatabase(url: string): Promise<void> {
  const u = new URL(url);
  const name = u.pathname.slice(1);
  u.pathname = "/postgres";
  const c = new pg.Client({ connectionString: u.toString() });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await c.end();
  }
}

export async function startStack(): Promise<{ env: StackEnv; pids: { broker?: number; questdb?: number }; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "andon-scratch-"));
  const started: (Managed | QuestDbInstance)[] = [];
  const mqttPort = await freePort();
  const redisPort = await freePort();
  const broker = testBroker();
  const [mosq, redis, quest, databaseUrl] = await Promise.all([
    broker === "hivemq"
      ? startHiveMq({ dir: join(dir, "hivemq"), port: mqttPort, home: config().ANDON_HOME })
      : startMosquitto(join(dir, "mosquitto"), mqttPort),
    startRedis(join(dir, "redis"), redisPort),
    startScratchQuestDb(dir),
    createScratchDatabase(),
  ]);
  started.push(mosq, redis, quest);
  const env: StackEnv = {
    MQTT_URL: `mqtt://127.0.0.1:${mqttPort}`,
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    DATABASE_URL: databaseUrl,
    QUESTDB_HTTP_URL: quest.httpUrl,
    QUESTDB_PG_URL: quest.pgUrl,
    QUESTDB_PG_PASSWORD: quest.pgPassword,
    ANDON_HOME: config().ANDON_HOME,
    MOSQUITTO_DIR: join(dir, "mosquitto"),
    MOSQUITTO_PORT: String(mqttPort),
    BROKER: broker,
  };
  return {
    env,
    pids: { broker: mosq.child.pid, questdb: quest.process.child.pid },
    stop: async () => {
      await Promise.all(started.map((s) => s.stop()));
      await dropScratchDatabase(databaseUrl).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A small plant under a unique enterprise, so runs sharing one stack never see each other's data. */
export function scratchPlant(enterprise: string, machinesPerLine = 3): PlantFile {
  const demo = readPlantFile(join(repoRoot, "prisma", "seed", "demo-plant.json"));
  const site = demo.sites[0];
  if (!site) throw new Error("demo plant has no site");
  return {
    enterprise: { slug: enterprise, name: `Test ${enterprise}` },
    lossMapping: demo.lossMapping,
    sites: [
      {
        ...site,
        areas: site.areas.map((a) => ({ ...a, lines: a.lines.map((l) => ({ ...l, machines: l.machines.slice(0, machinesPerLine) })) })),
      },
    ],
  };
}

export async function seedPlantInto(databaseUrl: string, plant: PlantFile): Promise<void> {
  await seedPlant(prismaFor(databaseUrl), plant);
}

export function stackConfig(env: StackEnv, extra: Record<string, string> = {}) {
  return parseConfig({ ...env, LOG_LEVEL: "warn", INGEST_METRICS_PORT: "0", OEE_METRICS_PORT: "0", SIM_METRICS_PORT: "0", ...extra });
}

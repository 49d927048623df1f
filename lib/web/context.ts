// Server-side handles shared by pages and route handlers: one Prisma client and one QuestDB pool per
// process (kept on globalThis so Next.js dev reloads do not open new pools).
import type { Queue } from "bullmq";
import { Redis } from "ioredis";
import mqtt, { type MqttClient } from "mqtt";
import type pg from "pg";
import { type LoginThrottle, redisLoginThrottle } from "../auth/throttle.ts";
import { config } from "../config.ts";
import { prismaFor } from "../db/client.ts";
import { loadMachines, type MachineInfo } from "../db/plant.ts";
import { mqttOptions } from "../mqtt/options.ts";
import type { ReasonDeps } from "../oee/reasons.ts";
import { questPool } from "../questdb/pg.ts";
import { enqueueRecompute, oeeQueue } from "../queues/oee.ts";
import { emptyPlantView, type PlantView, plantView } from "./plant.ts";
import { type Shared, shared, sharedValue } from "./shared-read.ts";

const g = globalThis as unknown as { __andonQuestPool?: pg.Pool };

export const db = () => prismaFor(config().DATABASE_URL);

export function quest(): pg.Pool {
  const cfg = config();
  g.__andonQuestPool ??= questPool(cfg.QUESTDB_PG_URL, cfg.QUESTDB_PG_PASSWORD);
  return g.__andonQuestPool;
}

const q = globalThis as unknown as { __andonOeeQueue?: Queue };

/** The OEE queue, to ask for recomputes (after a reason edit). */
export function oeeJobs(): Queue {
  q.__andonOeeQueue ??= oeeQueue(new Redis(config().REDIS_URL, { maxRetriesPerRequest: null }), config().QUEUE_PREFIX);
  return q.__andonOeeQueue;
}

const lt = globalThis as unknown as { __andonLoginThrottle?: LoginThrottle };

/** Sign-in throttling, shared through Redis by every dashboard process (lib/auth/throttle.ts). */
export function loginThrottle(): LoginThrottle {
  // a sign-in waits at most 2 s for Redis, then fails (refused, never let through unthrottled)
  lt.__andonLoginThrottle ??= redisLoginThrottle(new Redis(config().REDIS_URL, { commandTimeout: 2000, maxRetriesPerRequest: 1 }), {
    prefix: config().QUEUE_PREFIX,
  });
  return lt.__andonLoginThrottle;
}

const ASSET_TTL_MS = 10_000;

/**
 * The asset model (every machine with its calendar and loss mapping), read from PostgreSQL at most
 * every 10 s per server process: pages and API calls read it on every request, and it changes only
 * when an admin edits it (an edit made through this server shows at once, see route() in api.ts;
 * one made elsewhere within 10 s).
 */
export function machines(): Promise<MachineInfo[]> {
  return sharedValue("assets:machines", ASSET_TTL_MS, () => loadMachines(db()));
}

/** Every site (also those without machines yet), as often as the machines. */
export function siteRows(): Promise<{ key: string; name: string; timeZone: string }[]> {
  return sharedValue("assets:sites", ASSET_TTL_MS, async () =>
    (await db().site.findMany({ include: { enterprise: true }, orderBy: [{ enterprise: { slug: "asc" } }, { slug: "asc" }] })).map((s) => ({
      key: `${s.enterprise.slug}/${s.slug}`,
      name: s.name,
      timeZone: s.timeZone,
    })),
  );
}

/** What a downtime-reason edit needs on this server: the stores, the asset model, the OEE recompute queue. */
export async function reasonDeps(): Promise<ReasonDeps> {
  return {
    prisma: db(),
    pool: quest(),
    machines: await machines(),
    recompute: async (ranges, why) => void (await enqueueRecompute(oeeJobs(), ranges, why)),
  };
}

/** The key under which a site's plant view is shared (lib/web/shared-read.ts); forget it after a change to the site. */
export const plantViewKey = (enterprise: string, site: string) => `plant:${enterprise}/${site}/`;

/** A site's plant view as the board shows it now: computed at most once per WEB_SHARE_MS for every viewer. */
export function sharedPlantView(enterprise: string, site: string): Shared<PlantView | undefined> {
  return shared(plantViewKey(enterprise, site), config().WEB_SHARE_MS, async () => {
    const view = await plantView(db(), quest(), await machines(), enterprise, site);
    if (view) return view;
    // a site without machines yet (an admin just created it) has an empty board, not a 404
    const row = (await siteRows()).find((r) => r.key === `${enterprise}/${site}`);
    return row ? emptyPlantView(row) : undefined;
  });
}

const mq = globalThis as unknown as { __andonMqtt?: Promise<MqttClient> };

/** Publishes alert changes on the broker (one client per server process, connected on first use). */
export async function publishAlert(topic: string, payload: string): Promise<void> {
  const cfg = config();
  mq.__andonMqtt ??= mqtt.connectAsync(cfg.MQTT_URL, mqttOptions(cfg, { clientId: `andon-web-${process.pid}`, clean: true }));
  await (await mq.__andonMqtt).publishAsync(topic, payload, { qos: 1 });
}

type AlertListener = (siteKey: string, payload: string) => void;
const ls = globalThis as unknown as { __andonAlertListeners?: Set<AlertListener>; __andonAlertSub?: Promise<void> };

/**
 * Live alert changes for this server process: one MQTT subscription to every site's alerts topic,
 * fanned out to the listeners (the SSE streams of signed-in users, each filtered by site).
 * Returns a function that removes the listener.
 */
export async function onAlertChange(listener: AlertListener): Promise<() => void> {
  ls.__andonAlertListeners ??= new Set();
  ls.__andonAlertListeners.add(listener);
  const cfg = config();
  ls.__andonAlertSub ??= (async () => {
    const client = await mqtt.connectAsync(cfg.MQTT_URL, mqttOptions(cfg, { clientId: `andon-web-alerts-${process.pid}`, clean: true }));
    client.on("message", (topic, payload) => {
      const siteKey = topic.split("/").slice(0, 2).join("/");
      for (const l of ls.__andonAlertListeners ?? []) l(siteKey, payload.toString());
    });
    await client.subscribeAsync("+/+/alerts", { qos: 1 });
  })();
  await ls.__andonAlertSub;
  return () => ls.__andonAlertListeners?.delete(listener);
}

// Server-side handles shared by pages and route handlers: one Prisma client and one QuestDB pool per
// process (kept on globalThis so Next.js dev reloads do not open new pools).
import type { Queue } from "bullmq";
import mqtt, { type MqttClient } from "mqtt";
import type pg from "pg";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { loadMachines, type MachineInfo } from "#lib/adapters/db/plant.ts";
import { siteRowsOf } from "#lib/adapters/db/read-sites.ts";
import { mqttOptions } from "#lib/adapters/mqtt/options.ts";
import { questPool } from "#lib/adapters/questdb/pg.ts";
import { enqueueRecompute, oeeQueue } from "#lib/adapters/queues/oee.ts";
import { redisConnection } from "#lib/adapters/queues/redis.ts";
import { siteKey } from "#lib/contract/identity.ts";
import { type LoginThrottle, redisLoginThrottle } from "#lib/features/auth/throttle.ts";
import type { ReasonDeps } from "#lib/features/oee/reasons.ts";
import { config } from "#lib/platform/config.ts";
import { withTimeout } from "#lib/platform/timeout.ts";
import { emptyPlantView, type PlantView, plantView } from "./plant.ts";
import { plantBytes, plantJson } from "./plant-wire.ts";
import { JsonText, type Shared, shared, sharedValue } from "./shared-read.ts";
import { type ReportAsk, type ShiftReport, shiftReport } from "./shift-report.ts";

const g = globalThis as unknown as { __andonQuestPool?: pg.Pool };

export const db = () => prismaFor(config().DATABASE_URL);

export function quest(): pg.Pool {
  const cfg = config();
  g.__andonQuestPool ??= questPool(cfg.QUESTDB_PG_URL, cfg.QUESTDB_PG_PASSWORD);
  return g.__andonQuestPool;
}

const q = globalThis as unknown as { __andonOeeQueue?: Queue };

/**
 * The OEE queue, to ask for recomputes (after a reason edit). Its Redis connection reconnects by
 * itself; a call waits at most WEB_IO_TIMEOUT_MS (commandTimeout), so a request never hangs on Redis.
 */
export function oeeJobs(): Queue {
  const cfg = config();
  q.__andonOeeQueue ??= oeeQueue(redisConnection(cfg, { maxRetriesPerRequest: 2, commandTimeout: cfg.WEB_IO_TIMEOUT_MS }), cfg.QUEUE_PREFIX);
  q.__andonOeeQueue.on("error", () => undefined); // reported by the call that failed
  return q.__andonOeeQueue;
}

const lt = globalThis as unknown as { __andonLoginThrottle?: LoginThrottle };

/** Sign-in throttling, shared through Redis by every dashboard process (lib/features/auth/throttle.ts). */
export function loginThrottle(): LoginThrottle {
  // a sign-in waits at most 2 s for Redis, then fails (refused, never let through unthrottled)
  lt.__andonLoginThrottle ??= redisLoginThrottle(redisConnection(config(), { commandTimeout: 2000, maxRetriesPerRequest: 1 }), {
    prefix: config().QUEUE_PREFIX,
  });
  return lt.__andonLoginThrottle;
}

/** Queues an OEE recompute from a dashboard request, waiting at most WEB_IO_TIMEOUT_MS for Redis. */
export async function queueRecompute(ranges: { from: number; to: number }[], why?: string, enterprise?: string): Promise<void> {
  await withTimeout(enqueueRecompute(oeeJobs(), ranges, why, enterprise), config().WEB_IO_TIMEOUT_MS, "queueing an OEE recompute in Redis");
}

const ASSET_TTL_MS = 10_000;

/**
 * The asset model (every machine with its calendar and loss mapping), read from PostgreSQL at most
 * every 10 s per server process: pages and API calls read it on every request, and it changes only
 * when an admin edits it (an edit made through this server shows at once, see route() in api.ts;
 * one made elsewhere within 10 s).
 */
export function machines(): Promise<MachineInfo[]> {
  return sharedValue("assets:machines", ASSET_TTL_MS, sameAsBefore);
}

const am = globalThis as unknown as { __andonAssetModel?: { text: string; machines: MachineInfo[] } };

/**
 * The asset model read again; the very same array as the last read when nothing in it changed, so
 * what is kept per machine or per site against it (timelines, a site's board facts) stays good.
 */
async function sameAsBefore(): Promise<MachineInfo[]> {
  const machines = await loadMachines(db());
  const text = JSON.stringify(machines);
  if (am.__andonAssetModel?.text === text) return am.__andonAssetModel.machines;
  am.__andonAssetModel = { text, machines };
  return machines;
}

/** Every site (also those without machines yet), as often as the machines. */
export function siteRows(): Promise<{ key: string; name: string; timeZone: string }[]> {
  return sharedValue("assets:sites", ASSET_TTL_MS, () => siteRowsOf(db()));
}

/** What a downtime-reason edit needs on this server: the stores, the asset model, the OEE recompute queue. */
export async function reasonDeps(): Promise<ReasonDeps> {
  return {
    prisma: db(),
    pool: quest(),
    machines: await machines(),
    recompute: (ranges, why) => queueRecompute(ranges, why),
  };
}

/** The key under which a site's plant view is shared (lib/features/dashboard/shared-read.ts); forget it after a change to the site. */
export const plantViewKey = (enterprise: string, site: string) => `plant:${siteKey({ enterprise, site })}/`;

/**
 * A site's plant view as the board shows it now: computed at most once per WEB_SHARE_MS for every
 * viewer; sent as JSON with its timelines as arrays (./plant-wire.ts).
 */
export function sharedPlantView(enterprise: string, site: string): Shared<PlantView | undefined> {
  return shared(
    plantViewKey(enterprise, site),
    config().WEB_SHARE_MS,
    async () => {
      const view = await plantView(db(), quest(), await machines(), enterprise, site);
      if (view) return view;
      // a site without machines yet (an admin just created it) has an empty board, not a 404
      const row = (await siteRows()).find((r) => r.key === siteKey({ enterprise, site }));
      return row ? emptyPlantView(row) : undefined;
    },
    (v) =>
      v
        ? new JsonText(
            () => plantJson(v),
            () => plantBytes(v),
          )
        : v,
  );
}

/** A site's shift report (never shared: each reader sees the sections they may). */
export async function reportFor(
  where: { enterprise: string; site: string },
  ask: ReportAsk,
  see: { alerts: boolean; commands: boolean },
): Promise<ShiftReport | undefined> {
  return shiftReport({ prisma: db(), pool: quest(), fleet: await machines() }, where, ask, see);
}

const mq = globalThis as unknown as { __andonMqtt?: MqttClient };

/**
 * This server process's MQTT client for alert changes. Never a cached connection attempt: the client
 * is created once and reconnects by itself (a broker that was down at the first use, or restarted,
 * is found again); publishes wait at most WEB_IO_TIMEOUT_MS.
 */
function alertPublisher(): MqttClient {
  const cfg = config();
  if (!mq.__andonMqtt) {
    mq.__andonMqtt = mqtt.connect(cfg.MQTT_URL, mqttOptions(cfg, { clientId: `andon-web-${process.pid}`, clean: true, reconnectPeriod: 1000 }));
    mq.__andonMqtt.on("error", () => undefined); // a refused connection is retried; publishes report their own failure
  }
  return mq.__andonMqtt;
}

/**
 * Publishes an alert change (QoS 1). With the broker away the message stays in the client's queue and
 * goes out once it is back (unless this process ends first); the caller is answered after
 * WEB_IO_TIMEOUT_MS with a TimeoutError.
 */
export async function publishAlert(topic: string, payload: string): Promise<void> {
  await withTimeout(
    alertPublisher()
      .publishAsync(topic, payload, { qos: 1 })
      .then(() => undefined),
    config().WEB_IO_TIMEOUT_MS,
    `publishing on ${topic}`,
  );
}

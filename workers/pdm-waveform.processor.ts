// BullMQ sandboxed processor of the `pdm-waveform` queue (lib/adapters/queues/pdm.ts): runs in a child process
// that BullMQ forks and reuses, so the CPU-heavy feature extraction never stalls the parent worker's
// lock renewal. Opens its connections once per child, from the environment (lib/platform/config.ts).
import { fileURLToPath } from "node:url";
import type { ConnectionOptions, SandboxedJob } from "bullmq";
import mqtt from "mqtt";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { loadMachines } from "#lib/adapters/db/plant.ts";
import { mqttOptions } from "#lib/adapters/mqtt/options.ts";
import { questPool } from "#lib/adapters/questdb/pg.ts";
import { sandboxedWaveformWorker } from "#lib/adapters/queues/pdm.ts";
import { redisConnection } from "#lib/adapters/queues/redis.ts";
import { WaveformJob } from "#lib/contract/jobs/pdm.ts";
import { forecastHook } from "#lib/features/pdm/rul.ts";
import { scanWaveforms, type WaveformScanResult } from "#lib/features/pdm/waveform-scan.ts";
import { config } from "#lib/platform/config.ts";

/** The worker of the waveform queue that runs this file in its child process. */
export const pdmWaveformWorker = (connection: ConnectionOptions, prefix: string, env?: NodeJS.ProcessEnv) =>
  sandboxedWaveformWorker(connection, prefix, fileURLToPath(import.meta.url), env);

async function open() {
  const cfg = config();
  const client = await mqtt.connectAsync(cfg.MQTT_URL, mqttOptions(cfg, { clientId: `andon-pdm-waveform-${process.pid}`, clean: true }));
  return {
    cfg,
    prisma: prismaFor(cfg.DATABASE_URL),
    pool: questPool(cfg.QUESTDB_PG_URL, cfg.QUESTDB_PG_PASSWORD),
    redis: redisConnection(cfg),
    client,
  };
}

let conn: ReturnType<typeof open> | undefined;

export default async function process_(job: SandboxedJob): Promise<WaveformScanResult & { processorPid: number }> {
  const data = WaveformJob.parse(job.data);
  conn ??= open();
  const { cfg, prisma, pool, redis, client } = await conn;
  const machines = (await loadMachines(prisma)).filter((m) => !data.enterprise || m.enterprise === data.enterprise);
  const r = await scanWaveforms({
    pool,
    machines,
    store: redis,
    keyPrefix: cfg.QUEUE_PREFIX,
    alerts: { prisma, forecast: forecastHook(pool, () => machines), publish: async (t, p) => void (await client.publishAsync(t, p, { qos: 1 })) },
    ...(data.now ? { now: data.now } : {}),
  });
  return { ...r, processorPid: process.pid };
}

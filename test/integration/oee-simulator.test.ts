// The simulator's telemetry through MQTT, the ingest worker, QuestDB and the BullMQ roll-up job gives
// the same numbers as `andon oee export` + `andon oee compute` on the same events: a user can
// recompute by hand any number the dashboard shows.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadMachineKeys } from "#lib/adapters/db/assets.ts";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { reasonEditsByPath } from "#lib/adapters/db/oee-reasons.ts";
import { loadMachines, type MachineInfo } from "#lib/adapters/db/plant.ts";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { QuestWriter } from "#lib/adapters/questdb/writer.ts";
import { enqueueRecompute, oeeQueue } from "#lib/adapters/queues/oee.ts";
import type { OeeResult } from "#lib/domain/oee/types.ts";
import { type IngestWorker, startIngestWorker } from "#lib/features/ingest/worker.ts";
import { oeeWorker } from "#lib/features/oee/jobs.ts";
import { type SimulatorHandle, startSimulator } from "#lib/features/sim/run.ts";
import { waitFor } from "#lib/features/stack/net.ts";
import { repoRoot } from "#lib/platform/config.ts";
import { createLogger } from "#lib/platform/log.ts";
import { seedTestPlant, testConfig, testPlant } from "../support/stack.ts";

const env = inject("stack");
const ent = `ts${randomBytes(3).toString("hex")}`;
const plant = testPlant(ent, 3);
const site = plant.sites[0]!;
// one line of fast machines (1.5 s cycle), so a minute holds parts, stops and rejects
site.areas = site.areas
  .slice(0, 1)
  .map((a) => ({ ...a, lines: a.lines.slice(0, 1).map((l) => ({ ...l, machines: l.machines.map((m) => ({ ...m, idealCycleTimeS: 1.5 })) })) }));
site.calendars = site.calendars.map((c) => ({ ...c, shifts: [] })); // the whole minute is planned
const prefix = `{andon-test-${ent}}`;
const pool = questPool(env.QUESTDB_PG_URL, env.QUESTDB_PG_PASSWORD);
const connection = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
const writer = new QuestWriter({ httpUrl: env.QUESTDB_HTTP_URL });
const prisma = prismaFor(env.DATABASE_URL);
const MIN = 60_000;
let fleet: MachineInfo[];
let ingest: IngestWorker;
let sim: SimulatorHandle | undefined;
let minute: number;

beforeAll(async () => {
  await seedTestPlant(env.DATABASE_URL, plant);
  fleet = (await loadMachines(prisma)).filter((m) => m.enterprise === ent);
  const cfg = testConfig(env, { INGEST_CLIENT_ID: `oeesim-${ent}`, INGEST_ENTERPRISE: ent, INGEST_FLUSH_MS: "50", SIM_INTERVAL_MS: "200", SIM_SEED: "7" });
  ingest = await startIngestWorker({ config: cfg, log: createLogger("oee-sim-test", "warn"), loadMachineKeys: () => loadMachineKeys(prisma) });
  const t0 = Date.now();
  sim = await startSimulator({ config: cfg, machines: fleet, log: createLogger("sim", "warn") });
  // the first minute with at least 20 s of simulated data, once it has closed (and 3 s for the last messages)
  minute = Math.floor((t0 + 20_000) / MIN) * MIN;
  await waitFor("a simulated minute to close", async () => Date.now() >= minute + MIN + 3000, 2 * MIN + 10_000, 500);
  await sim.stop();
  sim = undefined;
  await waitWalApplied(pool, [TABLES.state, TABLES.counts]);
}, 4 * MIN);

afterAll(async () => {
  await sim?.stop();
  await ingest?.stop();
  const q = oeeQueue(connection, prefix);
  await q.obliterate({ force: true }).catch(() => undefined);
  await q.close();
  connection.disconnect();
  await writer.close();
  await pool.end();
});

function cli(args: string[], input?: string): string {
  const p = spawnSync(process.execPath, [join(repoRoot, "scripts", "andon.mjs"), ...args], {
    input,
    encoding: "utf8",
    env: { ...process.env, ...env, LOG_LEVEL: "warn" },
    timeout: 60_000,
  });
  if (p.status !== 0) throw new Error(`andon ${args.join(" ")} exited ${p.status}: ${p.stderr}`);
  return p.stdout;
}

describe("OEE from the simulator", () => {
  it("the roll-up job's numbers equal `andon oee compute` on the exported events", { timeout: 3 * MIN }, async () => {
    const queue = oeeQueue(connection, prefix);
    const events = new QueueEvents("oee", { connection: new Redis(env.REDIS_URL, { maxRetriesPerRequest: null }), prefix });
    const worker = oeeWorker(
      connection,
      async () => ({
        pool,
        writer,
        machines: fleet,
        reasonEdits: (r) => reasonEditsByPath(prisma, r),
        watermark: { get: async () => undefined, set: async () => {} },
      }),
      prefix,
    );
    try {
      await events.waitUntilReady();
      const job = await enqueueRecompute(queue, [{ from: minute, to: minute + MIN }]);
      await job.waitUntilFinished(events, 60_000);
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
    }
    await waitWalApplied(pool, [TABLES.oeeMachine]);

    let produced = 0;
    for (const m of fleet) {
      const path = `${m.enterprise}/${m.site}/${m.area}/${m.line}/${m.slug}`;
      const exported = cli(["oee", "export", "--machine", path, "--from", new Date(minute).toISOString(), "--to", new Date(minute + MIN).toISOString()]);
      expect(exported).toContain('"type":"state"');
      const byHand = JSON.parse(cli(["oee", "compute", "--input", "-"], exported)) as OeeResult;
      const { rows } = await pool.query(
        `SELECT * FROM ${TABLES.oeeMachine} WHERE enterprise = $1 AND site = $2 AND area = $3 AND line = $4 AND machine = $5 AND granularity = 'minute' AND ts = $6`,
        [m.enterprise, m.site, m.area, m.line, m.slug, new Date(minute).toISOString()],
      );
      expect(rows, path).toHaveLength(1);
      const row = rows[0];
      expect(row.planned_busy_s).toBeCloseTo(byHand.elements.plannedBusyS, 6);
      expect(row.run_s).toBeCloseTo(byHand.elements.runS, 6);
      expect(row.breakdown_s + row.setup_s + row.other_stop_s).toBeCloseTo(byHand.elements.breakdownS + byHand.elements.setupS + byHand.elements.otherStopS, 6);
      expect(row.small_stop_s).toBeCloseTo(byHand.elements.smallStopS, 6);
      expect(Number(row.total)).toBe(byHand.elements.total);
      expect(Number(row.good)).toBe(byHand.elements.good);
      expect(row.mapping_version).toBe(byHand.mappingVersion);
      if (byHand.kpis.oee === null) expect(row.oee).toBeNull();
      else expect(row.oee).toBeCloseTo(byHand.kpis.oee, 9);
      produced += byHand.elements.total;
    }
    // the simulated plant produced something in that minute, so the comparison is not 0 = 0
    expect(produced).toBeGreaterThan(0);
  });
});

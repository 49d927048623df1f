// An OEE roll-up worker process killed with SIGKILL in the middle of a job: the job's lock expires,
// another worker process runs it again from the start, and QuestDB ends with exactly one row per
// machine and bucket, equal to the OEE core on the raw events (DEDUP upserts make the re-run safe).
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { loadMachines } from "#lib/adapters/db/plant.ts";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import { ensureQuestSchema } from "#lib/adapters/questdb/schema.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { QuestWriter } from "#lib/adapters/questdb/writer.ts";
import { enqueueRecompute, oeeQueue } from "#lib/adapters/queues/oee.ts";
import { computeOee } from "#lib/domain/oee/compute.ts";
import type { CountEvent, StateEvent } from "#lib/domain/oee/types.ts";
import { telemetryRows } from "#lib/features/ingest/mapping.ts";
import { waitFor } from "#lib/features/stack/net.ts";
import type { Managed } from "#lib/features/stack/process.ts";
import { repoRoot } from "#lib/platform/config.ts";
import { seedTestPlant, testPlant } from "../support/stack.ts";
import { spawnOeeWorker } from "../support/worker-process.ts";

const env = inject("stack");
const ent = `tk${randomBytes(3).toString("hex")}`;
const plant = testPlant(ent, 3);
const site = plant.sites[0]!;
site.calendars = site.calendars.map((c) => ({ ...c, shifts: [] }));
site.areas = site.areas.slice(0, 1).map((a) => ({ ...a, lines: a.lines.slice(0, 1) }));
const prefix = `{andon-kill-${ent}}`;
const MIN = 60_000;
const HOUR = 3_600_000;
const H = Math.floor(Date.now() / HOUR) * HOUR - HOUR; // [H - 4 h, H) is closed
const pool = questPool(env.QUESTDB_PG_URL, env.QUESTDB_PG_PASSWORD);
const connection = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
// A short lock so the killed worker's job is taken over soon (production: 30 s). Not shorter than 10 s:
// with 3 s, a surviving worker starved of CPU (2 cores, load 11) renewed its lock late three times and
// BullMQ failed the job as "stalled more than allowable limit" (seen 2026-12-01).
const workerEnv = { ...(env as unknown as Record<string, string>), QUEUE_PREFIX: prefix, OEE_JOB_LOCK_MS: "10000" };
const workers: Managed[] = [];
const events = new Map<string, { states: StateEvent[]; counts: CountEvent[] }>();

beforeAll(async () => {
  await seedTestPlant(env.DATABASE_URL, plant);
  await ensureQuestSchema(env.QUESTDB_HTTP_URL);
  // 4 hours per machine: a state change every 7 minutes (a stop every third), a cumulative counter every 30 s
  const writer = new QuestWriter({ httpUrl: env.QUESTDB_HTTP_URL });
  const line = site.areas[0]!.lines[0]!;
  for (const [k, m] of line.machines.entries()) {
    const path = { enterprise: ent, site: site.slug, area: site.areas[0]!.slug, line: line.slug, machine: m.slug };
    const states: StateEvent[] = Array.from({ length: 35 }, (_, i) => ({
      ts: H - 4 * HOUR + i * 7 * MIN + k * 1000,
      state: i % 3 === 2 ? "equipment_failure" : "running",
    }));
    const counts: CountEvent[] = Array.from({ length: 480 }, (_, i) => ({
      ts: H - 4 * HOUR + i * 30_000,
      mode: "cumulative",
      total: i * (k + 1),
      reject: Math.floor(i / 20),
    }));
    events.set(m.slug, { states, counts });
    await writer.write([
      ...states.flatMap((s) => telemetryRows(path, { channel: "state", msg: { v: 1, ts: s.ts * 1000, state: s.state } } as never)),
      ...counts.flatMap((c) =>
        telemetryRows(path, { channel: "counts", msg: { v: 1, ts: c.ts * 1000, mode: "cumulative", total: c.total, reject: c.reject } } as never),
      ),
    ]);
  }
  await writer.close();
  await waitWalApplied(pool, [TABLES.state, TABLES.counts]);
}, 60_000);

afterAll(async () => {
  for (const w of workers) await w.stop();
  const q = oeeQueue(connection, prefix);
  await q.obliterate({ force: true }).catch(() => undefined);
  await q.close();
  connection.disconnect();
  await pool.end();
});

describe("OEE worker killed mid-job", () => {
  it("the job runs again on another worker and leaves exactly the core's numbers, once", { timeout: 180_000 }, async () => {
    const queue = oeeQueue(connection, prefix);
    const queueEvents = new QueueEvents("oee", { connection: new Redis(env.REDIS_URL, { maxRetriesPerRequest: null }), prefix });
    await queueEvents.waitUntilReady();
    const first = spawnOeeWorker(workerEnv, join(repoRoot, ".andon", "test-oee-kill-1.log"));
    workers.push(first);
    const job = await enqueueRecompute(queue, [{ from: H - 4 * HOUR, to: H }], "crash test");
    await waitFor("the job to start", async () => (await queue.getActiveCount()) > 0, 60_000, 50);
    await first.kill();
    expect(await job.isActive()).toBe(true); // killed mid-job: nobody finished it
    const second = spawnOeeWorker(workerEnv, join(repoRoot, ".andon", "test-oee-kill-2.log"));
    workers.push(second);
    const result = (await job.waitUntilFinished(queueEvents, 120_000)) as { kind: string; buckets: number };
    expect(result.kind).toBe("recompute");
    await queueEvents.close();
    await queue.close();
    await waitWalApplied(pool, [TABLES.oeeMachine, TABLES.oeeRollup]);

    const fleet = (await loadMachines(prismaFor(env.DATABASE_URL))).filter((m) => m.enterprise === ent);
    expect(fleet).toHaveLength(3);
    for (const m of fleet) {
      const { rows } = await pool.query(
        `SELECT granularity, ts, count() n, sum(run_s) run_s, sum(total) total, sum(breakdown_s) breakdown_s FROM ${TABLES.oeeMachine}
         WHERE enterprise = $1 AND machine = $2 AND granularity IN ('hour', 'minute') GROUP BY granularity, ts ORDER BY granularity, ts`,
        [ent, m.slug],
      );
      expect(rows.every((r) => Number(r.n) === 1)).toBe(true); // at most one row per bucket, however often it ran
      // (the worker's own schedulers also compute the minutes and hours that just closed)
      const inRange = rows.filter((r) => (r.ts as Date).getTime() >= H - 4 * HOUR && (r.ts as Date).getTime() < H);
      const hours = inRange.filter((r) => r.granularity === "hour");
      expect(hours).toHaveLength(4);
      expect(inRange.filter((r) => r.granularity === "minute")).toHaveLength(240);
      const ev = events.get(m.slug)!;
      for (const h of hours) {
        const start = (h.ts as Date).getTime();
        const want = computeOee({
          window: { start, end: start + HOUR },
          idealCycleTimeS: m.idealCycleTimeS,
          plan: { kind: "window" },
          mapping: m.lossMapping!,
          ...ev,
        });
        expect(h.run_s).toBeCloseTo(want.elements.runS, 6);
        expect(h.breakdown_s).toBeCloseTo(want.elements.breakdownS, 6);
        expect(Number(h.total)).toBe(want.elements.total);
      }
    }
  });
});

// Redis restarted (without persistence: it comes back empty) under a running OEE roll-up worker process,
// on its own redis-server: the worker reconnects, puts its schedulers back, and the minute buckets that
// closed before, during and after the restart end identical to an undisturbed computation of the same
// buckets (an in-process recompute of the range, which must change nothing), one row per bucket; a
// downtime-reason edit whose recompute job was lost with Redis's memory is recomputed all the same.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import { ensureQuestSchema } from "#lib/adapters/questdb/schema.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { QuestWriter } from "#lib/adapters/questdb/writer.ts";
import { telemetryRows } from "#lib/features/ingest/mapping.ts";
import { databaseJobDeps, recomputeTouched } from "#lib/features/oee/jobs.ts";
import { startRedis } from "#lib/features/stack/local-servers.ts";
import { freePort, waitFor } from "#lib/features/stack/net.ts";
import type { Managed } from "#lib/features/stack/process.ts";
import { repoRoot } from "#lib/platform/config.ts";
import { seedTestPlant, testPlant } from "../support/stack.ts";
import { spawnOeeWorker } from "../support/worker-process.ts";

const env = inject("stack");
const ent = `tr${randomBytes(3).toString("hex")}`;
const plant = testPlant(ent, 2);
const site = plant.sites[0]!;
site.calendars = site.calendars.map((c) => ({ ...c, shifts: [] }));
site.areas = site.areas.slice(0, 1).map((a) => ({ ...a, lines: a.lines.slice(0, 1) }));
const MIN = 60_000;
const pool = questPool(env.QUESTDB_PG_URL, env.QUESTDB_PG_PASSWORD);
const prisma = prismaFor(env.DATABASE_URL);
const dir = mkdtempSync(join(tmpdir(), "andon-redis-restart-"));
let redisPort = 0;
let redis: Managed | undefined;
let worker: Managed | undefined;
const NOW = Math.floor(Date.now() / MIN) * MIN;

/** Minute rows of this enterprise from `from` on (machines and roll-ups), without when they were computed. */
async function minuteRows(from: number, to: number) {
  const strip = (rows: Record<string, unknown>[]) => rows.map(({ computed_at: _c, stored_at: _s, ...r }) => r);
  const range = [new Date(from).toISOString(), new Date(to).toISOString()];
  const machines = await pool.query(
    `SELECT * FROM ${TABLES.oeeMachine} WHERE enterprise = $1 AND granularity = 'minute' AND ts >= $2 AND ts < $3 ORDER BY ts, machine`,
    [ent, ...range],
  );
  const rollups = await pool.query(
    `SELECT * FROM ${TABLES.oeeRollup} WHERE (key = $1 OR key LIKE $2) AND granularity = 'minute' AND ts >= $3 AND ts < $4 ORDER BY ts, level, key`,
    [ent, `${ent}/%`, ...range],
  );
  return { machines: strip(machines.rows), rollups: strip(rollups.rows) };
}
const minuteBounds = async () => {
  const r = await pool.query(`SELECT min(ts) first, max(ts) last FROM ${TABLES.oeeMachine} WHERE enterprise = $1 AND granularity = 'minute'`, [ent]);
  return { first: (r.rows[0]?.first as Date | null)?.getTime() ?? 0, last: (r.rows[0]?.last as Date | null)?.getTime() ?? 0 };
};

beforeAll(async () => {
  await seedTestPlant(env.DATABASE_URL, plant);
  await ensureQuestSchema(env.QUESTDB_HTTP_URL);
  // raw events from 20 minutes ago to 10 minutes ahead: a state every 40 s (every third a breakdown),
  // a cumulative counter every 10 s; all written before the worker starts, so every run sees the same data
  const writer = new QuestWriter({ httpUrl: env.QUESTDB_HTTP_URL });
  const line = site.areas[0]!.lines[0]!;
  const start = NOW - 20 * MIN;
  for (const [k, m] of line.machines.entries()) {
    const path = { enterprise: ent, site: site.slug, area: site.areas[0]!.slug, line: line.slug, machine: m.slug };
    const rows = [
      ...Array.from({ length: 45 }, (_, i) =>
        telemetryRows(path, {
          channel: "state",
          msg: { v: 1, ts: (start + i * 40_000 + k * 1000) * 1000, state: i % 3 === 2 ? "equipment_failure" : "running" },
        } as never),
      ),
      ...Array.from({ length: 180 }, (_, i) =>
        telemetryRows(path, {
          channel: "counts",
          msg: { v: 1, ts: (start + i * 10_000) * 1000, mode: "cumulative", total: i * (k + 2), reject: Math.floor(i / 15) },
        } as never),
      ),
    ].flat();
    await writer.write(rows);
  }
  await writer.close();
  await waitWalApplied(pool, [TABLES.state, TABLES.counts]);
  redisPort = await freePort();
  redis = await startRedis(join(dir, "redis"), redisPort);
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await redis?.stop();
  await pool.end();
  rmSync(dir, { recursive: true, force: true });
});

describe("Redis restarted under the OEE roll-ups", () => {
  it("the worker reconnects and puts its schedulers back; the minute buckets equal an undisturbed computation", { timeout: 420_000 }, async () => {
    const prefix = `{andon-redis-${ent}}`;
    worker = spawnOeeWorker(
      { ...(env as unknown as Record<string, string>), REDIS_URL: `redis://127.0.0.1:${redisPort}`, QUEUE_PREFIX: prefix },
      join(repoRoot, ".andon", "test-redis-restart-oee.log"),
    );
    // the first scheduled minute run: the minutes from its look-back on are computed from now on
    await waitFor("the first minute buckets", async () => (await minuteBounds()).last > 0, 150_000, 500);
    await waitWalApplied(pool, [TABLES.oeeMachine]);
    const T0 = (await minuteBounds()).first;
    // Redis goes away for a few seconds and comes back empty (no persistence): queues, schedulers and
    // the late watermark are gone
    await redis!.kill();
    await new Promise((r) => setTimeout(r, 5000));
    redis = await startRedis(join(dir, "redis"), redisPort);
    const restart = Math.floor(Date.now() / MIN) * MIN;
    // a downtime reason saved while its recompute job was lost with Redis's memory: the late scan finds
    // it in PostgreSQL and recomputes its minutes (older than anything the schedulers computed here)
    const edited = { start: NOW - 20 * MIN, end: NOW - 15 * MIN };
    const machine = await prisma.machine.findFirstOrThrow({ where: { line: { area: { site: { enterprise: { slug: ent } } } } } });
    await prisma.reasonEdit.create({
      data: { machineId: machine.id, start: new Date(edited.start), end: new Date(edited.end), reason: "tool change", kind: "assign", createdBy: "test" },
    });
    // a minute that closed after the restart is computed by the worker's schedulers
    await waitFor("a minute bucket closed after the restart", async () => (await minuteBounds()).last >= restart, 200_000, 1000);
    const editedMinutes = async () => (await minuteRows(edited.start, edited.end)).machines.length;
    await waitFor("the edited minutes recomputed by the late scan", async () => (await editedMinutes()) === 10, 150_000, 1000);
    expect(worker.child.exitCode).toBeNull();
    await waitWalApplied(pool, [TABLES.oeeMachine, TABLES.oeeRollup]);
    const end = restart + MIN;
    const got = await minuteRows(T0, end);
    // one row per machine and minute, none missing (the minutes that closed while Redis was away too)
    const minutes = (end - T0) / MIN;
    expect(got.machines).toHaveLength(minutes * 2);
    expect(new Set(got.machines.map((r) => `${(r.ts as Date).getTime()}|${r.machine}`)).size).toBe(minutes * 2);
    expect(got.rollups.length).toBeGreaterThan(0);

    // the same buckets computed undisturbed, in this process: the upserts must change nothing
    const deps = await databaseJobDeps(prisma, {
      pool,
      writer: new QuestWriter({ httpUrl: env.QUESTDB_HTTP_URL }),
      watermark: { get: async () => undefined, set: async () => undefined },
    })();
    const scoped = { ...deps, machines: deps.machines.filter((m) => m.enterprise === ent) };
    await recomputeTouched(scoped, [{ start: T0, end }], end);
    await deps.writer.close();
    await waitWalApplied(pool, [TABLES.oeeMachine, TABLES.oeeRollup]);
    const want = await minuteRows(T0, end);
    expect(want.machines).toHaveLength(minutes * 2);
    expect(got).toEqual(want);
  });
});

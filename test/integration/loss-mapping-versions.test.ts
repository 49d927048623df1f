// A new loss-mapping version saved by an admin (PostgreSQL, its own scratch database) changes the OEE
// the jobs compute (BullMQ on the test Redis, QuestDB) for the machines it is assigned to, and only
// for them: an idle stop that was an unplanned stop becomes a planned stop, so availability rises,
// and the recomputed rows name the new version. The old version is left exactly as it was.
import { randomBytes } from "node:crypto";
import { type Job, QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import { ensureQuestSchema } from "#lib/adapters/questdb/schema.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { QuestWriter } from "#lib/adapters/questdb/writer.ts";
import { enqueueRecompute, oeeQueue } from "#lib/adapters/queues/oee.ts";
import { createScratchDatabase, dropScratchDatabase } from "#lib/dev/isolated-stack.ts";
import type { Principal } from "#lib/domain/auth/policy.ts";
import { AssetError } from "#lib/features/admin/assets.ts";
import { createLossMappingVersion, listLossMappings } from "#lib/features/admin/loss-mappings.ts";
import { createArea, createSite, removeEmpty } from "#lib/features/admin/structure.ts";
import { telemetryRows } from "#lib/features/ingest/mapping.ts";
import { databaseJobDeps, oeeWorker } from "#lib/features/oee/jobs.ts";
import { seedTestPlant, testPlant } from "../support/stack.ts";

const env = inject("stack");
const ent = `lm${randomBytes(3).toString("hex")}`;
const MIN = 60_000;
const HOUR = 3_600_000;
const H = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR; // a closed hour two hours ago
const admin: Principal = { kind: "user", id: "t", name: "admin.test", displayName: "Admin", role: "ADMIN", sites: "all" };

const plant = testPlant(ent, 2);
const site = plant.sites[0]!;
site.calendars = site.calendars.map((c) => ({ ...c, shifts: [] })); // the whole hour is planned
const area = site.areas[0]!;
const line = area.lines[0]!;
const keys = line.machines.map((m) => `${ent}/${site.slug}/${area.slug}/${line.slug}/${m.slug}`);

let databaseUrl: string;
let prisma: ReturnType<typeof prismaFor>;
const pool = questPool(env.QUESTDB_PG_URL, env.QUESTDB_PG_PASSWORD);
const writer = new QuestWriter({ httpUrl: env.QUESTDB_HTTP_URL });
const prefix = `{andon-test-${ent}}`;
const connection = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
const queue = oeeQueue(connection, prefix);
let queueEvents: QueueEvents;
let worker: ReturnType<typeof oeeWorker>;

/** Each machine's hour bucket as the jobs wrote it. */
async function hourRows() {
  await waitWalApplied(pool, [TABLES.oeeMachine]);
  const r = await pool.query<{ machine: string; availability: number; planned_busy_s: number; mapping_version: string }>(
    `SELECT machine, availability, planned_busy_s, mapping_version FROM ${TABLES.oeeMachine} WHERE enterprise = $1 AND line = $3 AND granularity = 'hour' AND ts = $2 ORDER BY machine`,
    [ent, new Date(H).toISOString(), line.slug],
  );
  return r.rows;
}

beforeAll(async () => {
  databaseUrl = await createScratchDatabase();
  await seedTestPlant(databaseUrl, plant);
  prisma = prismaFor(databaseUrl);
  await ensureQuestSchema(env.QUESTDB_HTTP_URL);
  // both machines: running, idle for 15 minutes, running; the raw rows exactly as the ingest writes them
  const rows = line.machines.flatMap((m) => {
    const path = { enterprise: ent, site: site.slug, area: area.slug, line: line.slug, machine: m.slug };
    return [
      [H - MIN, "running"],
      [H + 20 * MIN, "idle"],
      [H + 35 * MIN, "running"],
    ].flatMap(([ts, state]) => telemetryRows(path, { channel: "state", msg: { v: 1, ts: Number(ts) * 1000, state: String(state) } } as never));
  });
  await writer.write(rows);
  await waitWalApplied(pool, [TABLES.state]);
  queueEvents = new QueueEvents("oee", { connection: new Redis(env.REDIS_URL, { maxRetriesPerRequest: null }), prefix });
  await queueEvents.waitUntilReady();
  // the worker reads the asset model (with each machine's mapping) for every job: the deps workers/oee.ts gives it
  worker = oeeWorker(connection, databaseJobDeps(prisma, { pool, writer, watermark: { get: async () => undefined, set: async () => {} } }), prefix);
}, 120_000);

afterAll(async () => {
  await worker?.close();
  await queueEvents?.close();
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  await writer.close();
  await pool.end();
  await prisma?.$disconnect();
  if (databaseUrl) await dropScratchDatabase(databaseUrl);
});

describe("loss-mapping versions", () => {
  it("a new version assigned to one machine changes that machine's OEE when recomputed, and only its", async () => {
    const first = await enqueueRecompute(queue, [{ from: H, to: H + HOUR }], "test: computed under v1", ent);
    await first.waitUntilFinished(queueEvents, 60_000);
    const before = await hourRows();
    // idle (code 40100, category 40000) is an unplanned stop in v1: 45 of 60 planned minutes run
    expect(before.map((r) => [r.machine, r.availability, r.mapping_version])).toEqual([
      [line.machines[0]!.slug, 0.75, "default@v1"],
      [line.machines[1]!.slug, 0.75, "default@v1"],
    ]);

    const v1 = (await listLossMappings(prisma)).enterprises.find((e) => e.slug === ent)!.mappings[0]!.versions[0]!;
    const jobs: Job[] = [];
    const result = await createLossMappingVersion(
      { prisma, recompute: async (ranges, why, enterprise) => void jobs.push(await enqueueRecompute(queue, ranges, why, enterprise)) },
      admin,
      "127.0.0.1",
      {
        enterprise: ent,
        name: "default",
        basedOnVersion: 1,
        microStopThresholdS: v1.microStopThresholdS,
        startupWindowS: v1.startupWindowS,
        rules: [...v1.rules, { state: "idle", loss: "PLANNED_STOP" }],
        makeDefault: false,
        machines: [keys[0]!],
        recomputeFrom: H - 5 * MIN,
      },
    );
    expect(result.label).toBe("default@v2");
    expect(result.recompute?.jobs).toBe(1);
    for (const j of jobs) await j.waitUntilFinished(queueEvents, 120_000);

    const after = await hourRows();
    // machine 0: the 15 idle minutes are planned now: 45 planned, 45 run; machine 1 keeps v1
    expect(after.map((r) => [r.machine, r.planned_busy_s, r.availability, r.mapping_version])).toEqual([
      [line.machines[0]!.slug, 45 * 60, 1, "default@v2"],
      [line.machines[1]!.slug, 60 * 60, 0.75, "default@v1"],
    ]);

    // v1 is unchanged, the machines point where they should, and the change is audited with its diff
    const versions = await prisma.lossMapping.findMany({
      where: { enterprise: { slug: ent } },
      include: { rules: true, machines: true },
      orderBy: { version: "asc" },
    });
    const all = await prisma.machine.count();
    expect(versions.map((v) => [v.version, v.rules.length, v.machines.length, v.isDefault])).toEqual([
      [1, v1.rules.length, all - 1, true],
      [2, v1.rules.length + 1, 1, false],
    ]);
    const audit = await prisma.auditLog.findFirstOrThrow({ where: { action: "asset.loss-mapping.create", subject: `${ent}/default@v2` } });
    expect(audit.actor).toBe("admin.test");
    expect(audit.details).toMatchObject({ basedOn: "default@v1", diff: { added: [{ rule: "state idle", loss: "PLANNED_STOP" }] } });
  });

  it("a draft from an older version is refused (someone saved a newer one), and nothing is written", async () => {
    const count = await prisma.lossMapping.count();
    const attempt = createLossMappingVersion({ prisma, recompute: async () => {} }, admin, undefined, {
      enterprise: ent,
      name: "default",
      basedOnVersion: 1,
      microStopThresholdS: 120,
      startupWindowS: 0,
      rules: [{ category: 10000, loss: "PRODUCTIVE" }],
      makeDefault: true,
      machines: [],
    });
    await expect(attempt).rejects.toThrow(AssetError);
    await expect(attempt).rejects.toThrow(/default@v2 was saved by admin.test since you started from v1/);
    expect(await prisma.lossMapping.count()).toBe(count);
  });

  it("making a version the default leaves one default, and a recompute more than 30 days back is refused", async () => {
    const v2 = { enterprise: ent, name: "default", microStopThresholdS: 60, startupWindowS: 0, rules: [{ category: 10000, loss: "PRODUCTIVE" as const }] };
    await expect(
      createLossMappingVersion({ prisma, recompute: async () => {} }, admin, undefined, {
        ...v2,
        basedOnVersion: 2,
        makeDefault: true,
        machines: [],
        recomputeFrom: Date.now() - 31 * 86_400_000,
      }),
    ).rejects.toThrow(/recomputeFrom: must be within the last 30 days/);
    await createLossMappingVersion({ prisma, recompute: async () => {} }, admin, undefined, { ...v2, basedOnVersion: 2, makeDefault: true, machines: [] });
    const defaults = await prisma.lossMapping.findMany({ where: { enterprise: { slug: ent }, isDefault: true } });
    expect(defaults.map((d) => d.version)).toEqual([3]);
  });

  it("a new named mapping starts at v1 for the machines picked; a name that exists is refused", async () => {
    const draft = { enterprise: ent, microStopThresholdS: 30, startupWindowS: 0, rules: [{ category: 10000, loss: "PRODUCTIVE" as const }] };
    await expect(
      createLossMappingVersion({ prisma, recompute: async () => {} }, admin, undefined, {
        ...draft,
        name: "default",
        basedOnVersion: 0,
        makeDefault: false,
        machines: [],
      }),
    ).rejects.toThrow(/already has a mapping default \(v3\)/);
    const r = await createLossMappingVersion({ prisma, recompute: async () => {} }, admin, undefined, {
      ...draft,
      name: "press lines",
      basedOnVersion: 0,
      makeDefault: false,
      machines: [keys[1]!],
    });
    expect(r.label).toBe("press lines@v1");
    const created = await prisma.lossMapping.findFirstOrThrow({ where: { enterprise: { slug: ent }, name: "press lines" }, include: { machines: true } });
    expect([created.version, created.isDefault, created.microStopThresholdS, created.machines.length]).toEqual([1, false, 30, 1]);
    const audit = await prisma.auditLog.findFirstOrThrow({ where: { action: "asset.loss-mapping.create", subject: `${ent}/press lines@v1` } });
    expect(audit.details).toMatchObject({ basedOn: "nothing: a new mapping", microStopThresholdS: 30 });
    // its next version is a normal new version
    const v2 = await createLossMappingVersion({ prisma, recompute: async () => {} }, admin, undefined, {
      ...draft,
      name: "press lines",
      basedOnVersion: 1,
      makeDefault: false,
      machines: [],
    });
    expect(v2.label).toBe("press lines@v2");
  });

  it("two defaults cannot exist: the database refuses a second, and two admins saving defaults at once leave one", async () => {
    const other = await prisma.lossMapping.findFirstOrThrow({ where: { enterprise: { slug: ent }, isDefault: false } });
    await expect(prisma.lossMapping.update({ where: { id: other.id }, data: { isDefault: true } })).rejects.toMatchObject({ code: "P2002" });
    const draft = { enterprise: ent, microStopThresholdS: 60, startupWindowS: 0, rules: [{ category: 10000, loss: "PRODUCTIVE" as const }] };
    const saves = await Promise.allSettled(
      ["race a", "race b"].map((name) =>
        createLossMappingVersion({ prisma, recompute: async () => {} }, admin, undefined, {
          ...draft,
          name,
          basedOnVersion: 0,
          makeDefault: true,
          machines: [],
        }),
      ),
    );
    expect(saves.some((r) => r.status === "fulfilled")).toBe(true);
    for (const r of saves) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(AssetError);
    const defaults = await prisma.lossMapping.findMany({ where: { enterprise: { slug: ent }, isDefault: true } });
    expect(defaults).toHaveLength(1);
    const audit = await prisma.auditLog.findFirstOrThrow({ where: { action: "asset.loss-mapping.create", subject: `${ent}/${defaults[0]!.name}@v1` } });
    expect((audit.details as { default: { to: string } }).default.to).toBe(`${defaults[0]!.name}@v1`);
  });

  it("a recompute that cannot be queued is reported with the saved version, not as a failure to save", async () => {
    const r = await createLossMappingVersion(
      {
        prisma,
        recompute: async () => {
          throw new Error("Redis is down");
        },
      },
      admin,
      undefined,
      {
        enterprise: ent,
        name: "queue down",
        basedOnVersion: 0,
        microStopThresholdS: 60,
        startupWindowS: 0,
        rules: [{ category: 10000, loss: "PRODUCTIVE" }],
        makeDefault: false,
        machines: [],
        recomputeFrom: Date.now() - 2 * 86_400_000,
      },
    );
    expect(r.label).toBe("queue down@v1");
    expect(r.recompute).toMatchObject({ jobs: 0 });
    expect(r.recompute?.error).toContain("Redis is down");
    expect(await prisma.lossMapping.count({ where: { enterprise: { slug: ent }, name: "queue down" } })).toBe(1);
    expect(await prisma.auditLog.count({ where: { action: "asset.loss-mapping.create", subject: `${ent}/queue down@v1` } })).toBe(1);
  });
});

describe("removing what was created by mistake", () => {
  it("an empty site goes (out of users' and tokens' site lists too); a site, area or line that holds something stays", async () => {
    const made = await createSite(prisma, admin, undefined, { enterprise: ent, slug: "typo-site", name: "Typo", timeZone: "Europe/Paris" });
    await prisma.user.create({
      data: { username: `u-${made.id.slice(0, 8)}`, displayName: "u", role: "PLANT_MANAGER", sites: [made.key, `${ent}/other`], passwordHash: "x" },
    });
    const withArea = await createSite(prisma, admin, undefined, { enterprise: ent, slug: "typo-site-2", name: "Typo 2", timeZone: "Europe/Paris" });
    await createArea(prisma, admin, undefined, { site: withArea.key, slug: "a", name: "A" });
    await expect(removeEmpty(prisma, admin, undefined, "site", withArea.id)).rejects.toThrow(/has 1 area\(s\): only an empty site can be removed/);
    const busyLine = await prisma.line.findFirstOrThrow({ where: { machines: { some: {} }, area: { site: { enterprise: { slug: ent } } } } });
    await expect(removeEmpty(prisma, admin, undefined, "line", busyLine.id)).rejects.toThrow(/machine\(s\): only an empty line can be removed/);
    expect(await removeEmpty(prisma, admin, undefined, "site", made.id)).toEqual({ key: made.key });
    expect(await prisma.site.count({ where: { id: made.id } })).toBe(0);
    const u = await prisma.user.findUniqueOrThrow({ where: { username: `u-${made.id.slice(0, 8)}` } });
    expect(u.sites).toEqual([`${ent}/other`]);
    expect(await prisma.auditLog.count({ where: { action: "asset.site.remove", subject: made.key } })).toBe(1);
  });
});

// andon bench dashboard: a scratch PostgreSQL database and QuestDB with 10 sites x 50 machines, 90
// days of roll-ups (site and machine days and hours), the last 8 hours of machine minute buckets
// and raw state changes, then the real Next.js server under 20 concurrent clients calling the
// overview API (30 days of every site) and the plant-page API (a random site's current shift).
// The baseline, measured in the same run with the same clients, is /api/health: the server's own
// floor (routing, JSON), so the ratio says what the data work adds. The figures are for the default
// settings (viewers of the same site share one computed answer for WEB_SHARE_MS); a first pass
// with WEB_SHARE_MS=0 (every request computes its own answer) is printed next to them, each with
// the CPU time per request of the server, of QuestDB, of the bench's own clients and of the whole
// machine (from /proc: less at the mercy of other load on the machine than the latencies).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { prismaFor } from "#lib/adapters/db/client.ts";
import type { PlantFile } from "#lib/adapters/db/plant.ts";
import { questExec } from "#lib/adapters/questdb/http.ts";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import { ensureQuestSchema } from "#lib/adapters/questdb/schema.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { type CpuShares, cpuMeter } from "#lib/dev/bench/cpu-meter.ts";
import { createScratchDatabase, dropScratchDatabase, seedPlantInto, startScratchQuestDb } from "#lib/dev/isolated-stack.ts";
import { createApiToken, tokenExpiry } from "#lib/features/auth/sessions.ts";
import { stateKey } from "#lib/features/ingest/mapping.ts";
import { freePort } from "#lib/features/stack/net.ts";
import { ensureWebBuild, startWeb } from "#lib/features/stack/web.ts";
import { config, repoRoot } from "#lib/platform/config.ts";

export interface DashboardBenchOptions {
  sites: number;
  machinesPerSite: number;
  days: number;
  clients: number;
  requests: number;
  /** Write a V8 CPU profile of the server of each pass here (one subdirectory per pass). */
  profileDir?: string;
  say: (m: string) => void;
}

export interface Latency {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
}

export interface DashboardRun {
  all: Latency;
  overview: Latency;
  plant: Latency;
  /** size of the largest answer of each API (JSON, before compression) */
  bytes: { overview: number; plant: number };
  /**
   * CPU time (user + system) per measured request (Linux: /proc), ms: the server, QuestDB, the bench's
   * own clients (this process: fetch, gunzip), and the whole machine (everything else is PostgreSQL,
   * the kernel and whatever else runs)
   */
  cpuMsPerRequest: CpuShares<"server" | "questdb">;
}

export interface DashboardBenchResult extends DashboardRun {
  baseline: Latency;
  baselineCpuMsPerRequest: DashboardRun["cpuMsPerRequest"];
  ratio: number;
  /** the same load with WEB_SHARE_MS=0 */
  unshared: DashboardRun;
  /** WEB_SHARE_MS of the default pass (this environment's, else the default) */
  shareMs: number;
}

const ZONES = [
  "Europe/Berlin",
  "America/Monterrey",
  "Asia/Kolkata",
  "America/New_York",
  "Europe/London",
  "Asia/Shanghai",
  "America/Sao_Paulo",
  "Europe/Warsaw",
  "Asia/Tokyo",
  "Australia/Sydney",
];
const DAY = 86_400_000;

function plant(sites: number, perSite: number): PlantFile {
  const shifts = [
    { name: "early", weekdays: [1, 2, 3, 4, 5, 6, 7], start: "06:00", end: "14:00", breaks: [{ name: "meal", startOffsetMin: 240, durationMin: 30 }] },
    { name: "late", weekdays: [1, 2, 3, 4, 5, 6, 7], start: "14:00", end: "22:00", breaks: [{ name: "meal", startOffsetMin: 240, durationMin: 30 }] },
    { name: "night", weekdays: [1, 2, 3, 4, 5, 6, 7], start: "22:00", end: "06:00", breaks: [{ name: "meal", startOffsetMin: 240, durationMin: 30 }] },
  ];
  return {
    enterprise: { slug: "bench", name: "Benchmark" },
    lossMapping: {
      name: "default",
      version: 1,
      microStopThresholdS: 120,
      rules: [
        { category: 10000, loss: "PRODUCTIVE" },
        { category: 180000, loss: "BREAKDOWN" },
      ],
    },
    sites: Array.from({ length: sites }, (_, s) => ({
      slug: `site-${s}`,
      name: `Site ${s}`,
      timeZone: ZONES[s % ZONES.length] as string,
      calendars: [{ name: "3 shifts", shifts }],
      areas: [
        {
          slug: "area",
          name: "Area",
          lines: Array.from({ length: Math.ceil(perSite / 10) }, (_, l) => ({
            slug: `line-${l}`,
            name: `Line ${l}`,
            calendar: "3 shifts",
            machines: Array.from({ length: Math.min(10, perSite - l * 10) }, (_, m) => ({
              slug: `m-${m}`,
              name: `Machine ${l}.${m}`,
              idealCycleTimeS: 2,
              vibrationGroup: "GROUP_2" as const,
              foundation: "RIGID" as const,
              hasWaveformSensor: false,
            })),
          })),
        },
      ],
    })),
  } as PlantFile;
}

/** INSERT … SELECT statements generating the roll-ups and raw states inside QuestDB. */
export function generators(sites: number, perSite: number, days: number, now: number) {
  const machines = sites * perSite;
  const today = Math.floor(now / DAY) * DAY;
  const cols = `calendar_s, planned_busy_s, breakdown_s, setup_s, other_stop_s, run_s, small_stop_s, net_run_s, fully_productive_s, data_gap_s,
    total, reject, startup_reject, good, failures, availability, performance, quality, oee, flags, computed_at, mapping_version`;
  // per row: planned p, availability a, performance q → elements consistent with the KPIs
  const values = (p: string, n: string) => `${p} calendar_s, ${p} * 0.95 planned_busy_s, ${p} * 0.05 breakdown_s, ${p} * 0.02 setup_s, 0.0 other_stop_s,
    ${p} * 0.88 run_s, ${p} * 0.01 small_stop_s, ${p} * 0.75 net_run_s, ${p} * 0.74 fully_productive_s, 0.0 data_gap_s,
    cast(${p} * 0.375 * ${n} as long) total, cast(${p} * 0.005 * ${n} as long) reject, 0L startup_reject, cast(${p} * 0.37 * ${n} as long) good, 1L failures,
    0.926 availability, 0.852 performance, 0.987 quality, 0.779 oee, '' flags, now() computed_at, 'default@v1' mapping_version`;
  const site = (x: string) => `'bench/site-' || (${x})`;
  const path = (m: string) => `'bench', 'site-' || ((${m}) / ${perSite}), 'area', 'line-' || (((${m}) % ${perSite}) / 10), 'm-' || ((${m}) % 10)`;
  const rollup = (g: string, sizeMs: number, count: number) =>
    `INSERT INTO ${TABLES.oeeRollup} (ts, bucket_end, granularity, level, key, label, ${cols})
     SELECT cast(${(today - count * sizeMs) * 1000}L + ((x - 1) / ${sites}) * ${sizeMs * 1000}L as timestamp) ts,
       cast(${(today - count * sizeMs + sizeMs) * 1000}L + ((x - 1) / ${sites}) * ${sizeMs * 1000}L as timestamp) bucket_end,
       '${g}', 'site', ${site(`(x - 1) % ${sites}`)},
       ${g === "day" ? `to_str(cast(${(today - count * sizeMs) * 1000}L + ((x - 1) / ${sites}) * ${sizeMs * 1000}L as timestamp), 'yyyy-MM-dd')` : "''"}, ${values(`${(sizeMs / 1000) * perSite}.0`, "1")}
     FROM long_sequence(${count * sites})`;
  const machineRows = (g: string, sizeMs: number, count: number, end: number) =>
    `INSERT INTO ${TABLES.oeeMachine} (ts, bucket_end, granularity, enterprise, site, area, line, machine, label, ${cols})
     SELECT cast(${(end - count * sizeMs) * 1000}L + ((x - 1) / ${machines}) * ${sizeMs * 1000}L as timestamp) ts,
       cast(${(end - count * sizeMs + sizeMs) * 1000}L + ((x - 1) / ${machines}) * ${sizeMs * 1000}L as timestamp) bucket_end,
       '${g}', ${path(`(x - 1) % ${machines}`)}, '', ${values(`${sizeMs / 1000}.0`, "1")}
     FROM long_sequence(${count * machines})`;
  const minuteEnd = Math.floor(now / 60_000) * 60_000;
  // raw states: every machine changes state every 5 min for the last 9 h (running 4 of 5 times)
  const changes = 9 * 12;
  const running = stateKey("running", undefined, undefined);
  const failure = stateKey("equipment_failure", undefined, undefined);
  const states = `INSERT INTO ${TABLES.state} (ts, enterprise, site, area, line, machine, state, state_key, received_at)
     SELECT cast(${(minuteEnd - changes * 300_000) * 1000}L + ((x - 1) / ${machines}) * 300000000L + ((x - 1) % ${machines}) * 1000L as timestamp),
       ${path(`(x - 1) % ${machines}`)},
       case when ((x - 1) / ${machines}) % 5 = 4 then 'equipment_failure' else 'running' end,
       case when ((x - 1) / ${machines}) % 5 = 4 then ${failure}L else ${running}L end, now()
     FROM long_sequence(${changes * machines})`;
  return [
    ["site day roll-ups", rollup("day", DAY, days)],
    ["site hour roll-ups", rollup("hour", 3_600_000, days * 24)],
    ["machine day roll-ups", machineRows("day", DAY, days, today)],
    ["machine hour roll-ups", machineRows("hour", 3_600_000, days * 24, Math.floor(now / 3_600_000) * 3_600_000)],
    ["machine minute buckets (last 8 h)", machineRows("minute", 60_000, 8 * 60, minuteEnd)],
    ["raw state changes (last 9 h)", states],
  ] as const;
}

function latency(ms: number[], errors: number): Latency {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? Number.NaN;
  return { n: s.length, p50: q(0.5), p95: q(0.95), p99: q(0.99), errors };
}

async function load(
  base: string,
  token: string,
  clients: number,
  requests: number,
  next: (i: number) => string,
): Promise<{ ms: number[]; errors: number; by: Map<string, number[]>; bytes: Map<string, number> }> {
  const ms: number[] = [];
  const by = new Map<string, number[]>();
  const bytes = new Map<string, number>();
  let errors = 0;
  let i = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (i < requests) {
        const url = next(i++);
        const t = performance.now();
        const res = await fetch(`${base}${url}`, { headers: { authorization: `Bearer ${token}` } }).catch(() => null);
        const body = res ? await res.arrayBuffer().catch(() => null) : null;
        const took = performance.now() - t;
        if (!res?.ok || !body) errors++;
        ms.push(took);
        const kind = url.split("?")[0]?.endsWith("/shift") ? "plant" : url.startsWith("/api/health") ? "health" : "overview";
        by.set(kind, by.get(kind) ?? []);
        by.get(kind)?.push(took);
        if (body) bytes.set(kind, Math.max(bytes.get(kind) ?? 0, body.byteLength));
      }
    }),
  );
  return { ms, errors, by, bytes };
}

export async function benchDashboard(o: DashboardBenchOptions): Promise<DashboardBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), "andon-bench-dash-"));
  o.say("starting a scratch QuestDB and PostgreSQL database");
  const [q, databaseUrl] = await Promise.all([startScratchQuestDb(dir), createScratchDatabase()]);
  let web: Awaited<ReturnType<typeof startWeb>> | undefined;
  try {
    await ensureQuestSchema(q.httpUrl);
    await seedPlantInto(databaseUrl, plant(o.sites, o.machinesPerSite));
    const token = await createApiToken(prismaFor(databaseUrl), {
      name: "bench",
      role: "ADMIN",
      sites: [],
      createdBy: "bench",
      scope: "READ_ONLY",
      expiresAt: tokenExpiry(1),
    });
    const now = Date.now();
    for (const [what, sql] of generators(o.sites, o.machinesPerSite, o.days, now)) {
      const t = performance.now();
      const r = await questExec(q.httpUrl, sql.replace(/\s+/g, " "), 600_000);
      o.say(`generated ${what}${r.count !== undefined ? ` (${r.count} rows)` : ""} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    const pool = questPool(q.pgUrl, q.pgPassword);
    await waitWalApplied(pool, [TABLES.oeeRollup, TABLES.oeeMachine, TABLES.state], 600_000);
    await pool.end();
    o.say("building the dashboard if needed and starting it");
    await ensureWebBuild(join(repoRoot, ".andon", "bench-web-build.log"));
    const env = { DATABASE_URL: databaseUrl, QUESTDB_HTTP_URL: q.httpUrl, QUESTDB_PG_URL: q.pgUrl, QUESTDB_PG_PASSWORD: q.pgPassword, LOG_LEVEL: "warn" };
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    // as an API client asks: its last 30 days up to the moment of the request
    const overview = () => `/api/v1/oee/sites?granularity=day&from=${Date.now() - 31 * DAY}&to=${Date.now()}&last=30`;
    const plantUrl = (i: number) => `/api/v1/sites/bench/site-${i % o.sites}/shift`;
    const mixed = (i: number) => (i % 2 === 0 ? overview() : plantUrl(i >> 1));
    const measure = async (label: string): Promise<DashboardRun> => {
      o.say(`${label}: warming up (${o.clients} clients)`);
      await load(base, token, o.clients, o.clients * 4, mixed);
      o.say(`${label}: ${o.requests} requests, overview and plant page alternately, from ${o.clients} concurrent clients`);
      const cpu = cpuMeter({ server: web?.child.pid, questdb: q.process.child.pid });
      const run = await load(base, token, o.clients, o.requests, mixed);
      return {
        cpuMsPerRequest: cpu.perUnit(o.requests),
        all: latency(run.ms, run.errors),
        overview: latency(run.by.get("overview") ?? [], 0),
        plant: latency(run.by.get("plant") ?? [], 0),
        bytes: { overview: run.bytes.get("overview") ?? 0, plant: run.bytes.get("plant") ?? 0 },
      };
    };
    const log = join(repoRoot, ".andon", "bench-web.log");
    const prof = (pass: string) => (o.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${join(o.profileDir, pass)}`] : []);
    web = await startWeb(port, { ...env, WEB_SHARE_MS: "0" }, log, prof("unshared"));
    const unshared = await measure("WEB_SHARE_MS=0 (every request computes its answer)");
    await web.stop();
    web = await startWeb(port, env, log, prof("shared"));
    const shared = await measure("default settings");
    o.say(`baseline: ${o.requests} requests of /api/health from ${o.clients} concurrent clients`);
    const cpu = cpuMeter({ server: web?.child.pid, questdb: q.process.child.pid });
    const baseline = await load(base, token, o.clients, o.requests, () => "/api/health");
    const baselineCpu = cpu.perUnit(o.requests);
    const base95 = latency(baseline.ms, baseline.errors).p95;
    return {
      ...shared,
      baseline: latency(baseline.ms, baseline.errors),
      baselineCpuMsPerRequest: baselineCpu,
      ratio: shared.all.p95 / base95,
      unshared,
      shareMs: config().WEB_SHARE_MS,
    };
  } finally {
    await web?.stop();
    await prismaFor(databaseUrl).$disconnect();
    await dropScratchDatabase(databaseUrl).catch(() => undefined);
    await q.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Two full stacks side by side on one machine: two `andon up`, each with its own ANDON_HOME, database and
// every port set (Redis, Mosquitto, QuestDB HTTP/PG/ILP/health, dashboard, metrics). Both come up (their
// own QuestDB, Redis and broker started by each), both ingest, both dashboards answer /api/health with
// their own supervised processes; SIGINT stops each and frees every one of its ports.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMetric } from "#lib/adapters/http/metrics-server.ts";
import { dropScratchDatabase } from "#lib/dev/isolated-stack.ts";
import { freePort, tcpOpen } from "#lib/features/stack/net.ts";
import { type PortUse, portProblems } from "#lib/features/stack/ports.ts";
import { ensureQuestDbJar } from "#lib/features/stack/questdb.ts";
import { ensureWebBuild } from "#lib/features/stack/web.ts";
import { config, repoRoot } from "#lib/platform/config.ts";
import { launchBrowser, signIn } from "../support/browser.ts";

interface Stack {
  name: string;
  home: string;
  env: Record<string, string>;
  ports: PortUse[];
  child?: ChildProcess;
  out: string;
}

const stacks: Stack[] = [];

async function makeStack(name: string, historyDays: number): Promise<Stack> {
  const home = mkdtempSync(join(tmpdir(), `andon-${name}-`));
  // the QuestDB jar is shared (not fetched again per home)
  const jar = await ensureQuestDbJar(config().ANDON_HOME, config().QUESTDB_VERSION);
  mkdirSync(join(home, "questdb"));
  symlinkSync(jar, join(home, "questdb", `questdb-${config().QUESTDB_VERSION}.jar`));
  const db = new URL(config().DATABASE_URL);
  db.pathname = `/andon_${name}_${randomBytes(3).toString("hex")}`;
  const p = {
    redis: await freePort(),
    mqtt: await freePort(),
    http: await freePort(),
    pg: await freePort(),
    ilp: await freePort(),
    health: await freePort(),
    web: await freePort(),
    ingest: await freePort(),
    oee: await freePort(),
    sim: await freePort(),
  };
  const env = {
    ANDON_HOME: home,
    DATABASE_URL: db.toString(),
    REDIS_URL: `redis://127.0.0.1:${p.redis}`,
    MQTT_URL: `mqtt://127.0.0.1:${p.mqtt}`,
    QUESTDB_HTTP_URL: `http://127.0.0.1:${p.http}`,
    QUESTDB_PG_URL: `postgresql://admin@127.0.0.1:${p.pg}/qdb`,
    QUESTDB_ILP_PORT: String(p.ilp),
    QUESTDB_HEALTH_PORT: String(p.health),
    WEB_PORT: String(p.web),
    INGEST_METRICS_PORT: String(p.ingest),
    OEE_METRICS_PORT: String(p.oee),
    SIM_METRICS_PORT: String(p.sim),
    LOG_LEVEL: "warn",
    SIM_HISTORY_DAYS: String(historyDays),
  };
  const ports: PortUse[] = Object.entries(p).map(([what, port]) => ({ setting: what, port, what }));
  return { name, home, env, ports, out: "" };
}

function up(s: Stack): Promise<void> {
  // QUESTDB_PG_PASSWORD and friends of this test process must not leak into the stack: its own are generated
  const { QUESTDB_PG_PASSWORD: _p, QUESTDB_HTTP_URL: _h, ...parent } = process.env;
  const child = spawn(process.execPath, [join(repoRoot, "scripts", "andon.mjs"), "up"], {
    cwd: repoRoot,
    env: { ...parent, ...s.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  s.child = child;
  child.stdout?.on("data", (d) => (s.out += d));
  child.stderr?.on("data", (d) => (s.out += d));
  return new Promise((resolve, reject) => {
    const onData = () => {
      if (s.out.includes("Andon is running")) {
        child.stdout?.off("data", onData);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${s.name}: andon up exited with ${code} before it was running:\n${s.out}`)));
  });
}

function stop(s: Stack): Promise<number | null> {
  const child = s.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child?.exitCode ?? null);
  return new Promise((resolve) => {
    child.removeAllListeners("exit");
    child.once("exit", (code) => resolve(code));
    child.kill("SIGINT");
  });
}

beforeAll(async () => {
  // one build for both dashboards (two `andon up` building at once would share .next)
  await ensureWebBuild(join(config().ANDON_HOME, "two-stacks-web-build.log"));
  // one with a day of history (the first start's fill, kept small here), one without
  stacks.push(await makeStack("stack-a", 1), await makeStack("stack-b", 0));
}, 600_000);

afterAll(async () => {
  for (const s of stacks) {
    if (s.child && s.child.exitCode === null && s.child.signalCode === null) {
      s.child.kill("SIGINT");
      await new Promise((r) => setTimeout(r, 20_000));
      if (s.child.exitCode === null) s.child.kill("SIGKILL");
    }
    await dropScratchDatabase(s.env.DATABASE_URL as string).catch(() => undefined);
    rmSync(s.home, { recursive: true, force: true });
  }
}, 120_000);

describe("two stacks on one machine", () => {
  it("run side by side with every port set, then stop on SIGINT", { timeout: 600_000 }, async () => {
    const [a, b] = stacks as [Stack, Stack];
    await Promise.all([up(a), up(b)]);
    for (const s of [a, b]) console.log(`${s.name}: ${/Andon is running \(\d+ s\)/.exec(s.out)?.[0]}`);
    for (const s of [a, b]) {
      // each started its own services, none reused the other's
      expect(s.out, s.out).toContain(`starting QuestDB ${config().QUESTDB_VERSION} on 127.0.0.1:${new URL(s.env.QUESTDB_HTTP_URL as string).port}`);
      expect(s.out).toContain(`Redis       127.0.0.1:${new URL(s.env.REDIS_URL as string).port} (started by Andon)`);
      expect(s.out).toContain(`Mosquitto   127.0.0.1:${new URL(s.env.MQTT_URL as string).port} (started by Andon)`);
      expect(await tcpOpen("127.0.0.1", Number(s.env.QUESTDB_ILP_PORT))).toBe(true);
      expect(await tcpOpen("127.0.0.1", Number(s.env.QUESTDB_HEALTH_PORT))).toBe(true);
    }
    // both dashboards answer, each with the processes of its own supervisor
    for (const s of [a, b]) {
      const res = await fetch(`http://127.0.0.1:${s.env.WEB_PORT}/api/health`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { processes?: { name: string }[] };
      expect(body.processes?.map((p) => p.name).sort()).toEqual(["commands", "ingest", "oee", "pdm", "simulator", "web"]);
    }
    // both pipelines run: each ingest worker writes its own simulator's rows into its own QuestDB
    for (const s of [a, b]) {
      await expect
        .poll(() => readMetric(Number(s.env.INGEST_METRICS_PORT), "andon_ingest_rows_written_total"), { timeout: 120_000, interval: 2000 })
        .toBeGreaterThan(0);
    }
    // a's first start filled its history: signed in as the first admin, every page has figures, none says "no data"
    await expect.poll(() => /password: +(\S+)/.exec(a.out)?.[1], { timeout: 30_000 }).toBeTruthy();
    const base = `http://127.0.0.1:${a.env.WEB_PORT}`;
    const browser = await launchBrowser();
    try {
      await signIn(browser, base, "admin", /password: +(\S+)/.exec(a.out)![1]!);
      const page = await browser.newPage();
      const text = async (path: string) => {
        await page.goto(`${base}${path}`);
        return (await page.locator("main").textContent()) ?? "";
      };
      // the OEE worker catches the history up right after the start: the last 24 h are there within a minute or two
      await expect.poll(() => text("/?period=24h"), { timeout: 180_000, interval: 5000 }).toMatch(/Dresden[\s\S]*\d+\.\d %/);
      expect(await text("/?period=24h")).not.toMatch(/No OEE computed|no data: nothing computed/);
      const board = await text("/sites/acme/dresden");
      expect(board).toMatch(/OEE \d+\.\d %/);
      const machine = await text("/sites/acme/dresden/machining/line-1/cnc-01");
      expect(machine).toContain("State timeline");
      expect(machine).not.toContain("no data");
      await page.goto(`${base}/ingest`);
      await expect.poll(() => page.getByTestId("oee-rollup").locator("h2").textContent(), { timeout: 180_000, interval: 5000 }).toContain("up to date");
    } finally {
      await browser.close();
    }
    // a's first start filled its history before the simulator started, and says so; b has none
    expect(a.out).toMatch(/history: \d+ messages in \d+ s/);
    expect(JSON.parse(readFileSync(join(a.home, "history.json"), "utf8")).messages).toBeGreaterThan(44 * 1440);
    expect(existsSync(join(b.home, "history.json"))).toBe(false);
    expect(await Promise.all([stop(a), stop(b)])).toEqual([0, 0]);
    for (const s of [a, b]) {
      expect(s.out).toContain("[andon] stopped");
      // everything it started is gone: each of its ports can be listened on again
      expect(await portProblems(s.ports)).toEqual([]);
    }
  });
});

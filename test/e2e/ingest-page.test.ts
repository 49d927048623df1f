// The first dashboard page in a real browser: simulated machines appear with their live state,
// the message rate counts up, and a rejected message shows up with its reason.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadMachineKeys } from "#lib/adapters/db/assets.ts";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { oeeCursorStore } from "#lib/adapters/db/oee-cursor.ts";
import { loadMachines } from "#lib/adapters/db/plant.ts";
import { createScratchDatabase, dropScratchDatabase } from "#lib/dev/isolated-stack.ts";
import { createUser } from "#lib/features/auth/sessions.ts";
import { type IngestWorker, startIngestWorker } from "#lib/features/ingest/worker.ts";
import { type SimulatorHandle, startSimulator } from "#lib/features/sim/run.ts";
import { freePort } from "#lib/features/stack/net.ts";
import type { Managed } from "#lib/features/stack/process.ts";
import { ensureWebBuild, startWeb } from "#lib/features/stack/web.ts";
import { repoRoot } from "#lib/platform/config.ts";
import { createLogger } from "#lib/platform/log.ts";
import { launchBrowser, signIn } from "../support/browser.ts";
import { seedTestPlant, testConfig, testPlant } from "../support/stack.ts";

const stack = inject("stack");
let databaseUrl: string;
let web: Managed | undefined;
let worker: IngestWorker | undefined;
let sim: SimulatorHandle | undefined;
let browser: BrowserContext | undefined;
let port: number;
let andonHome: string;
const log = createLogger("e2e", "warn");

beforeAll(async () => {
  // its own database, so the page shows exactly this plant
  databaseUrl = await createScratchDatabase();
  const plant = testPlant("acme", 3);
  plant.sites[0]!.calendars = plant.sites[0]!.calendars.map((c) => ({ ...c, shifts: [] })); // always in production
  await seedTestPlant(databaseUrl, plant);
  const env = { ...stack, DATABASE_URL: databaseUrl };
  const cfg = testConfig(env, { INGEST_CLIENT_ID: "e2e-ingest", INGEST_ENTERPRISE: "acme", SIM_INTERVAL_MS: "500", SIM_SEED: "7" });
  worker = await startIngestWorker({ config: cfg, log, loadMachineKeys: () => loadMachineKeys(prismaFor(databaseUrl)) });
  sim = await startSimulator({ config: cfg, machines: await loadMachines(prismaFor(databaseUrl)), log });
  await ensureWebBuild(join(repoRoot, ".andon", "e2e-web-build.log"));
  port = await freePort();
  // the dashboard reads andon up's supervisor status from ANDON_HOME/run: a home of its own, with a
  // status file as a supervisor (this test process) writes it while the ingest worker crash-loops
  andonHome = mkdtempSync(join(tmpdir(), "andon-e2e-home-"));
  mkdirSync(join(andonHome, "run"));
  const at = new Date().toISOString();
  writeFileSync(
    join(andonHome, "run", "processes.json"),
    JSON.stringify({
      updatedAt: at,
      supervisorPid: process.pid,
      processes: [
        {
          name: "ingest",
          state: "crash-looping",
          startedAt: at,
          restarts: 4,
          recentExits: 4,
          lastExit: { at, code: 1, signal: null, error: "RangeError: Invalid time value" },
        },
        { name: "oee", state: "running", startedAt: at, restarts: 0, recentExits: 0 },
      ],
    }),
  );
  web = await startWeb(port, { ...(env as unknown as Record<string, string>), ANDON_HOME: andonHome }, join(repoRoot, ".andon", "e2e-web.log"));
  browser = await launchBrowser();
  const password = await createUser(prismaFor(databaseUrl), { username: "admin", role: "ADMIN", sites: [] });
  await signIn(browser, `http://127.0.0.1:${port}`, "admin", password);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await sim?.stop();
  await worker?.stop();
  await prismaFor(databaseUrl).$disconnect();
  await dropScratchDatabase(databaseUrl);
  rmSync(andonHome, { recursive: true, force: true });
});

describe("live ingest page", () => {
  it("shows every machine of the plant with its live state and the ingest rate", async () => {
    const page = await browser!.newPage();
    await page.goto(`http://127.0.0.1:${port}/ingest`);
    const site = page.getByTestId("site-dresden");
    await expect.poll(() => site.getByTestId("machine").count(), { timeout: 30_000 }).toBe(6);
    // every machine has reported a state and was seen seconds ago (the page polls; no reload)
    await expect
      .poll(async () => (await site.getByTestId("machine").allInnerTexts()).filter((t) => /s ago/.test(t) && !/no state yet/.test(t)).length, {
        timeout: 30_000,
      })
      .toBe(6);
    await expect
      .poll(async () => Number(((await site.getByTestId("site-rate").textContent()) ?? "").replace(/,/g, "")), { timeout: 30_000 })
      .toBeGreaterThan(0);
    await expect.poll(() => page.getByText("machines reporting").count()).toBe(1);
    await page.screenshot({ path: join(repoRoot, ".andon", "e2e-ingest-page.png"), fullPage: true });
  });

  it("shows how far the OEE roll-up got, and a catch-up after the OEE worker was down", async () => {
    // as the OEE worker leaves it: minutes three hours behind (it was stopped), hours up to date
    const cursor = oeeCursorStore(prismaFor(databaseUrl), testConfig(stack).QUEUE_PREFIX);
    await cursor.advance("minute", Date.now() - 3 * 3_600_000);
    await cursor.advance("hour", Date.now());
    const page = await browser!.newPage();
    await page.goto(`http://127.0.0.1:${port}/ingest`);
    const card = page.getByTestId("oee-rollup");
    await expect.poll(() => card.locator("h2").textContent(), { timeout: 30_000 }).toContain("catching up: minute 3.0 h behind");
    expect(await page.getByTestId("oee-rollup-hour").textContent()).toMatch(/\d+ s$/);
    await cursor.advance("minute", Date.now());
    await expect.poll(() => card.locator("h2").textContent(), { timeout: 30_000 }).toContain("up to date");
  });

  it("lists a rejected message with its reason without a reload", async () => {
    const page = await browser!.newPage();
    await page.goto(`http://127.0.0.1:${port}/ingest`);
    const pub = await mqtt.connectAsync(stack.MQTT_URL, { protocolVersion: 5 });
    await pub.publishAsync("acme/dresden/machining/line-1/cnc-01/counts", '{"v":1,"ts":"2026-11-25T08:00:00Z","mode":"weekly"}', { qos: 1 });
    await pub.endAsync();
    await expect.poll(() => page.getByText("mode must be cumulative or delta").count(), { timeout: 30_000 }).toBeGreaterThan(0);
  });

  it("shows a crash-looping process with its last error, and /api/health says degraded", async () => {
    const page = await browser!.newPage();
    await page.goto(`http://127.0.0.1:${port}/ingest`);
    const row = page.getByTestId("process-ingest");
    await expect.poll(() => row.textContent(), { timeout: 30_000 }).toContain("crash-looping");
    expect(await row.textContent()).toContain("RangeError: Invalid time value");
    expect(await page.getByTestId("process-oee").textContent()).toContain("running");
    const health = (await (await fetch(`http://127.0.0.1:${port}/api/health`)).json()) as {
      status: string;
      processes: { name: string; state: string; lastExit?: { error: string } }[];
    };
    expect(health.status).toBe("degraded");
    expect(health.processes.find((p) => p.name === "ingest")).toMatchObject({ state: "crash-looping", lastExit: { error: "RangeError: Invalid time value" } });
  });
});

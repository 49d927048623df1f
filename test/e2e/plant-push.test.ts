// The plant board in Chromium against the built dashboard: a state change published over MQTT shows
// on the open board by push. No ingest worker runs here, so the stored data (what GET .../shift
// answers) never has the new state: only the site's stream can bring it. The test also records every
// request of the page and proves that none to the plant API happened between publish and display.
// The latency is printed (`push latency_ms=N`), not asserted. Likewise a command's transitions reach
// the machine page's command table with no request to the commands API.
import { join } from "node:path";
import mqtt from "mqtt";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { transition } from "#lib/adapters/db/commands-transitions.ts";
import { ensureQuestSchema } from "#lib/adapters/questdb/schema.ts";
import { asMachineKey } from "#lib/contract/identity.ts";
import { telemetryTopic } from "#lib/contract/topics.ts";
import { createScratchDatabase, dropScratchDatabase } from "#lib/dev/isolated-stack.ts";
import type { Principal } from "#lib/domain/auth/policy.ts";
import { createUser } from "#lib/features/auth/sessions.ts";
import { requestCommand } from "#lib/features/commands/store.ts";
import { VIEW_PUSH_MS } from "#lib/features/dashboard/live-streams.ts";
import { freePort } from "#lib/features/stack/net.ts";
import type { Managed } from "#lib/features/stack/process.ts";
import { ensureWebBuild, startWeb } from "#lib/features/stack/web.ts";
import { repoRoot } from "#lib/platform/config.ts";
import { launchBrowser, signIn } from "../support/browser.ts";
import { seedTestPlant, testPlant } from "../support/stack.ts";

const stack = inject("stack");
const ent = `push${Date.now().toString(36)}`;
const plant = testPlant(ent, 2);
const s = plant.sites[0]!;
const area = s.areas[0]!;
const line = area.lines[0]!;
const site = `${ent}/${s.slug}`;
const machine = `${site}/${area.slug}/${line.slug}/${line.machines[0]!.slug}`;
let databaseUrl: string;
let web: Managed | undefined;
let browser: BrowserContext | undefined;
let base: string;
let password: string;
const admin: Principal = { kind: "user", id: "seed", name: "seed", displayName: "Seed", role: "ADMIN", sites: "all" };

beforeAll(async () => {
  databaseUrl = await createScratchDatabase();
  s.calendars = s.calendars.map((c) => ({ ...c, shifts: [] })); // always in production: the board shows the last 8 hours
  await seedTestPlant(databaseUrl, plant);
  password = await createUser(prismaFor(databaseUrl), { username: "pm.push", role: "PLANT_MANAGER", sites: [site] });
  await ensureQuestSchema(stack.QUESTDB_HTTP_URL);
  await ensureWebBuild(join(repoRoot, ".andon", "e2e-web-build.log"));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  web = await startWeb(port, { ...stack, DATABASE_URL: databaseUrl } as unknown as Record<string, string>, join(repoRoot, ".andon", "e2e-push-web.log"));
  browser = await launchBrowser();
  await signIn(browser, base, "pm.push", password);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await prismaFor(databaseUrl).$disconnect();
  await dropScratchDatabase(databaseUrl);
});

describe("plant board push", () => {
  it("a state published over MQTT appears on the open board by push, with no poll of the plant API", { timeout: 120_000 }, async () => {
    const page = await (browser as BrowserContext).newPage();
    const requests: { at: number; url: string }[] = [];
    page.on("request", (r) => requests.push({ at: Date.now(), url: r.url() }));
    await page.goto(`${base}/sites/${site}`);
    // the stream is open: the board says so (and has stopped polling)
    await expect.poll(() => page.getByTestId("board-live").textContent(), { timeout: 30_000 }).toBe("live");
    const tile = `[data-testid="line-${line.slug}"] [data-testid="machine-${line.machines[0]!.slug}"] .s`;
    expect(await page.locator(tile).textContent()).not.toContain("equipment_failure");

    const pub = await mqtt.connectAsync(stack.MQTT_URL, { protocolVersion: 5 });
    try {
      const t0 = Date.now();
      await pub.publishAsync(telemetryTopic(asMachineKey(machine), "state"), JSON.stringify({ v: 1, ts: t0, state: "equipment_failure" }), { qos: 1 });
      await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.includes("equipment_failure"), tile, { polling: "raf", timeout: 30_000 });
      const t1 = Date.now();
      console.log(`push latency_ms=${t1 - t0}`);
      const polls = requests.filter((r) => r.at >= t0 && r.at <= t1 && new URL(r.url).pathname.startsWith("/api/v1/sites/"));
      expect(polls.map((r) => r.url)).toEqual([]);
      // the tile names the loss of the new state (classified by the machine's loss mapping on the server)
      expect(await page.locator(tile).textContent()).toContain("(breakdown)");
      // the stream was opened once and the board never polled the plant API while it was open
      expect(requests.filter((r) => new URL(r.url).pathname === `/api/v1/sites/${site}/shift`)).toEqual([]);
      expect(requests.filter((r) => new URL(r.url).pathname === `/api/v1/sites/${site}/stream`)).toHaveLength(1);
      // the next whole-board pushes (from the stored data, which never got the state here) do not undo it
      await page.waitForTimeout(VIEW_PUSH_MS + 2000);
      expect(await page.locator(tile).textContent()).toContain("equipment_failure");
    } finally {
      await pub.endAsync();
    }
  });

  it("a command's transitions appear in the machine page's command table by push, with no poll of the commands API", { timeout: 120_000 }, async () => {
    const prisma = prismaFor(databaseUrl);
    const page = await (browser as BrowserContext).newPage();
    const requests: { at: number; url: string }[] = [];
    page.on("request", (r) => requests.push({ at: Date.now(), url: r.url() }));
    await page.goto(`${base}/sites/${machine}`);
    const commandsApi = `/api/v1/machines/${machine}/commands`;
    // the panel reads the list once when its stream opens; from then on nothing but pushes
    await expect.poll(() => requests.filter((r) => new URL(r.url).pathname === commandsApi).length, { timeout: 30_000 }).toBe(1);
    const t0 = Date.now();
    const id = (await requestCommand(prisma, admin, { machine, type: "request_inspection", params: { note: "by push" } })).command.id;
    const status = page.getByTestId(`command-${id}`).getByTestId("command-status");
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toMatch(/queued/i);
    await transition(prisma, id, "cancel", { actor: "pm.push", reason: "cancelled by pm.push" });
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toMatch(/cancelled/i);
    const t1 = Date.now();
    console.log(`command push shown after ${t1 - t0} ms (queued and cancelled)`);
    expect(requests.filter((r) => r.at >= t0 && new URL(r.url).pathname === commandsApi).map((r) => r.url)).toEqual([]);
  });
});

// The dashboard against a real Next.js server, PostgreSQL and QuestDB, in Chromium and over HTTP:
// each role signs in and sees what it should; every API route is enumerated for every role, an API
// token and a signed-out visitor (cross-site attempts included); responses match the OpenAPI
// document; a corporate user compares sites and exports CSV.
import { execFileSync } from "node:child_process";
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import { Redis } from "ioredis";
import mqtt from "mqtt";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { reasonEditsByPath } from "#lib/adapters/db/oee-reasons.ts";
import { loadMachines, readPlantFile } from "#lib/adapters/db/plant.ts";
import { readMetric } from "#lib/adapters/http/metrics-server.ts";
import { oeeFields } from "#lib/adapters/questdb/oee-rows.ts";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import { ensureQuestSchema } from "#lib/adapters/questdb/schema.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { QuestWriter } from "#lib/adapters/questdb/writer.ts";
import { createScratchDatabase, dropScratchDatabase, stackConfig } from "#lib/dev/isolated-stack.ts";
import type { Principal } from "#lib/domain/auth/policy.ts";
import { bucketsOverlapping } from "#lib/domain/oee/buckets.ts";
import { computeOee } from "#lib/domain/oee/compute.ts";
import { DEFAULT_MAPPING } from "#lib/domain/oee/mapping.ts";
import { createApiToken, createUser, tokenExpiry } from "#lib/features/auth/sessions.ts";
import { type CommandService, startCommandService } from "#lib/features/commands/service.ts";
import { requestCommand } from "#lib/features/commands/store.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import type { ShiftReport } from "#lib/features/dashboard/shift-report.ts";
import { telemetryRows } from "#lib/features/ingest/mapping.ts";
import { oeeWorker } from "#lib/features/oee/jobs.ts";
import { rollupBuckets } from "#lib/features/oee/rollup.ts";
import { raiseAlert } from "#lib/features/pdm/alerts.ts";
import { MachineCommandLink } from "#lib/features/sim/commands.ts";
import { MachineSim } from "#lib/features/sim/machine.ts";
import { freePort } from "#lib/features/stack/net.ts";
import type { Managed } from "#lib/features/stack/process.ts";
import { ensureWebBuild, startWeb } from "#lib/features/stack/web.ts";
import { repoRoot } from "#lib/platform/config.ts";
import { createLogger } from "#lib/platform/log.ts";
import { launchBrowser, signIn } from "../support/browser.ts";
import { seedTestPlant } from "../support/stack.ts";
import { endSession, spawnIngestWorker } from "../support/worker-process.ts";

const stack = inject("stack");
/** The report as JSON (ISO strings where the server has Dates). */
type ShiftReportJson = ShiftReport;
const DAY = 86_400_000;
let databaseUrl: string;
let web: Managed | undefined;
let base: string;
const contexts: BrowserContext[] = [];
const passwords: Record<string, string> = {};
const alertIds: Record<string, string> = {};
const commandIds: Record<string, string> = {};
const assetIds: Record<string, string | null> = {};
let puneShifts: unknown[] = [];
const structureNames: Record<string, string> = {};
let mappingV1: { microStopThresholdS: number; startupWindowS?: number | undefined; rules: object[] };
let mesToken: string;
let readToken: string;
// different enterprise per run: the QuestDB of the test stack is shared by all test files
const ent = `dash${Date.now().toString(36)}`;
const site = (s: string) => `${ent}/${s}`;

/** Seven closed days of site roll-ups: Dresden loses 1 h a day to breakdowns, Monterrey 3 h, Pune 6 h. */
async function seedRollups() {
  await ensureQuestSchema(stack.QUESTDB_HTTP_URL);
  const writer = new QuestWriter({ httpUrl: stack.QUESTDB_HTTP_URL });
  const lost = { dresden: 1, monterrey: 3, pune: 6 } as const;
  const today = Math.floor(Date.now() / DAY) * DAY;
  const rows = [];
  for (let d = 1; d <= 7; d++) {
    const start = today - d * DAY;
    for (const [s, h] of Object.entries(lost)) {
      const r = computeOee({
        window: { start, end: start + DAY },
        idealCycleTimeS: 1,
        plan: { kind: "window" },
        mapping: DEFAULT_MAPPING,
        states: [
          { ts: start - 1000, state: "running" },
          { ts: start + 10 * 3_600_000, state: "equipment_failure" },
          { ts: start + (10 + h) * 3_600_000, state: "running" },
        ],
        counts: [{ ts: start + 20 * 3_600_000, mode: "delta", total: (24 - h) * 3600 * 0.9, reject: 100 }],
      });
      rows.push({
        table: TABLES.oeeRollup,
        symbols: [
          ["granularity", "day"],
          ["level", "site"],
          ["key", site(s)],
          ["label", new Date(start).toISOString().slice(0, 10)],
          ["mapping_version", r.mappingVersion],
        ] as [string, string][],
        fields: oeeFields(r, start + DAY, Date.now()),
        ts: start * 1000,
      });
    }
  }
  await writer.write(rows);
  await writer.close();
  const pool = questPool(stack.QUESTDB_PG_URL, stack.QUESTDB_PG_PASSWORD);
  await waitWalApplied(pool, [TABLES.oeeRollup]);
  await pool.end();
}

beforeAll(async () => {
  databaseUrl = await createScratchDatabase();
  const demo = readPlantFile(join(repoRoot, "prisma", "seed", "demo-plant.json"));
  // Dresden without a shift calendar (planned around the clock), so the plant page's window is
  // "the last 8 hours" whenever the test runs; a reason rule so that a corrected reason changes OEE
  const sites = demo.sites.map((x) => (x.slug === "dresden" ? { ...x, calendars: x.calendars.map((c) => ({ ...c, shifts: [] })) } : x));
  const lossMapping = { ...demo.lossMapping, rules: [...demo.lossMapping.rules, { reason: "planned-maintenance", loss: "PLANNED_STOP" as const }] };
  await seedTestPlant(databaseUrl, { ...demo, sites, lossMapping, enterprise: { slug: ent, name: "Dashboard test" } });
  const prisma = prismaFor(databaseUrl);
  passwords.admin = await createUser(prisma, { username: "admin", role: "ADMIN", sites: [] });
  passwords.corp = await createUser(prisma, {
    username: "corp",
    displayName: "Carla Corporate",
    role: "CORPORATE",
    sites: [site("dresden"), site("monterrey"), site("pune")],
  });
  passwords["pm.dresden"] = await createUser(prisma, { username: "pm.dresden", displayName: "Dieter Plant", role: "PLANT_MANAGER", sites: [site("dresden")] });
  passwords["tech.pune"] = await createUser(prisma, { username: "tech.pune", displayName: "Priya Tech", role: "MAINTENANCE", sites: [site("pune")] });
  passwords.target = await createUser(prisma, { username: "target", role: "MAINTENANCE", sites: [site("pune")] });
  await createUser(prisma, { username: "to-disable", role: "MAINTENANCE", sites: [site("pune")] });
  await createUser(prisma, { username: "to-reset", role: "MAINTENANCE", sites: [site("pune")] });
  mesToken = await createApiToken(prisma, {
    name: "mes-dresden",
    role: "PLANT_MANAGER",
    sites: [site("dresden")],
    createdBy: "test",
    scope: "READ_WRITE",
    expiresAt: tokenExpiry(1),
  });
  // the same role and sites, read-only: every GET as the token above, every POST refused
  readToken = await createApiToken(prisma, {
    name: "bi-dresden",
    role: "PLANT_MANAGER",
    sites: [site("dresden")],
    createdBy: "test",
    scope: "READ_ONLY",
    expiresAt: tokenExpiry(1),
  });
  await seedRollups();
  // alerts as a detector raises them (through the alert service, on the real broker)
  const pub = await mqtt.connectAsync(stack.MQTT_URL, { protocolVersion: 5 });
  const deps = { prisma, publish: async (t: string, p: string) => void (await pub.publishAsync(t, p, { qos: 1 })) };
  const raise = (machineKey: string, cause: string, severity: "WARNING" | "CRITICAL") =>
    raiseAlert(deps, {
      machineKey,
      feature: cause.split(":")[1] as string,
      cause,
      severity,
      value: 4.9,
      baseline: 1.1,
      zone: "D",
      explanation: `${cause.split(":")[1]} 4.9 against a baseline of 1.1`,
      suggestedAction: "inspect the drive-end bearing",
      detectorVersion: "test",
      at: Date.now() - 60_000,
    });
  alertIds.inbox = (await raise(puneMachine(), "zone:velocity_rms_mm_s", "CRITICAL")).alert.id;
  alertIds.pune = (await raise(puneMachine(), "drift:kurtosis", "WARNING")).alert.id;
  alertIds.dresden = (await raise(dresdenMachine(), "drift:crest_factor", "WARNING")).alert.id;
  await pub.endAsync();
  // queued commands (no command service runs until the command tests at the end)
  const seeder: Principal = { kind: "user", id: "seed", name: "seed", displayName: "Seed", role: "ADMIN", sites: "all" };
  const queue = async (machine: string, note: string) =>
    (await requestCommand(prisma, seeder, { machine, type: "request_inspection", params: { note } })).command.id;
  commandIds.dresden = await queue(`${ent}/dresden/machining/line-2/lathe-01`, "seeded");
  commandIds.dresdenToCancel = await queue(`${ent}/dresden/machining/line-2/lathe-01`, "to cancel");
  await createApiToken(prisma, {
    name: "to-revoke",
    role: "CORPORATE",
    sites: [site("pune")],
    createdBy: "test",
    scope: "READ_ONLY",
    expiresAt: tokenExpiry(1),
  });
  const packer = await prisma.machine.findFirstOrThrow({
    where: { slug: "packer-01", line: { slug: "fill-2", area: { site: { slug: "pune", enterprise: { slug: ent } } } } },
    include: { line: true },
  });
  assetIds.packer = packer.id;
  assetIds.fill2 = packer.lineId;
  assetIds.fill2Calendar = packer.line.shiftCalendarId;
  const packaging = await prisma.area.findUniqueOrThrow({ where: { id: packer.line.areaId } });
  assetIds.puneSite = packaging.siteId;
  assetIds.packaging = packaging.id;
  structureNames.packaging = packaging.name;
  structureNames.fill2 = packer.line.name;
  structureNames.pune = (await prisma.site.findUniqueOrThrow({ where: { id: packaging.siteId } })).name;
  assetIds.mappingV1 = packer.lossMappingId;
  mappingV1 = lossMapping;
  // the matrix writes Pune's calendar back unchanged
  const cal = await prisma.shiftCalendar.findUniqueOrThrow({
    where: { id: packer.line.shiftCalendarId ?? "" },
    include: { shifts: { include: { breaks: true } } },
  });
  puneShifts = cal.shifts.map((sh) => ({
    name: sh.name,
    weekdays: sh.weekdays,
    start: sh.startLocal,
    end: sh.endLocal,
    breaks: sh.breaks.map((b) => ({ name: b.name, startOffsetMin: b.startOffsetMin, durationMin: b.durationMin })),
  }));
  await ensureWebBuild(join(repoRoot, ".andon", "e2e-web-build.log"));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  web = await startWeb(port, { ...stack, DATABASE_URL: databaseUrl } as unknown as Record<string, string>, join(repoRoot, ".andon", "e2e-dashboard-web.log"));
}, 600_000);

afterAll(async () => {
  for (const c of contexts) await c.close();
  await web?.stop();
  await prismaFor(databaseUrl).$disconnect();
  await dropScratchDatabase(databaseUrl);
});

async function browserAs(user: string): Promise<BrowserContext> {
  const c = await launchBrowser();
  contexts.push(c);
  await signIn(c, base, user, passwords[user] as string);
  return c;
}

/** A session cookie through the login API, as a script would. */
async function cookieFor(user: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: user, password: passwords[user] }),
  });
  expect(res.status).toBe(200);
  const setCookie = res.headers.get("set-cookie") ?? "";
  expect(setCookie).toMatch(/HttpOnly/i);
  expect(setCookie).toMatch(/SameSite=Lax/i);
  return setCookie.split(";")[0] as string;
}

describe("dashboard in the browser", () => {
  it("a wrong password is refused with a message, and nothing is signed in", async () => {
    const c = await launchBrowser();
    contexts.push(c);
    const page = await c.newPage();
    await page.goto(`${base}/`);
    await page.waitForURL(/\/login/);
    await page.getByLabel("User name").fill("corp");
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.locator(".form-error").textContent()).toContain("wrong user name or password");
    expect(page.url()).toContain("/login");
  });

  it("a corporate user compares all sites, ranked by OEE, and exports CSV", async () => {
    const page = await (await browserAs("corp")).newPage();
    await page.goto(`${base}/?period=7d`);
    const ranking = page.getByTestId("site-ranking");
    await expect.poll(() => ranking.locator(".site-card").count(), { timeout: 30_000 }).toBe(3);
    expect(await ranking.getByTestId("site-name").allInnerTexts()).toEqual(["Dresden", "Monterrey", "Pune"]);
    // Dresden, each day: 24 h planned, 23 h run, 74,520 made at 1 s ideal (performance 0.9), 100 rejects:
    // OEE = 74,420 good × 1 s / 86,400 s = 0.8613; the same every day, so the week too
    expect(await page.getByTestId(`site-dresden`).getByTestId("oee").textContent()).toBe("86.1 %");
    expect(await page.getByText("world class 85 %").count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(repoRoot, ".andon", "e2e-overview.png"), fullPage: true });

    const href = await page.getByTestId("csv").getAttribute("href");
    const csv = await page.request.get(`${base}${href}`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()["content-type"]).toContain("text/csv");
    const lines = (await csv.text()).trim().split("\n");
    expect(lines[0]).toContain("site,bucket_start,bucket_end,label,planned_busy_s");
    expect(lines.filter((l) => l.includes(",TOTAL,"))).toHaveLength(3);
    expect(lines).toHaveLength(1 + 3 * 7 + 3);
  });

  it("a corporate user picks a custom period of local days; figures and CSV cover exactly those days", { timeout: 60_000 }, async () => {
    const day = (n: number) => new Date(Math.floor(Date.now() / DAY) * DAY - n * DAY).toISOString().slice(0, 10);
    const page = await (await browserAs("corp")).newPage();
    await page.goto(`${base}/?period=7d`);
    await page.getByLabel("First day").fill(day(3));
    await page.getByLabel("Last day").fill(day(2));
    await page.getByRole("button", { name: "Show" }).click();
    await page.waitForURL(/period=custom/);
    expect(await page.getByTestId("site-dresden").getByTestId("oee").textContent()).toBe("86.1 %");
    const href = (await page.getByTestId("csv").getAttribute("href")) ?? "";
    expect(href).toContain(`days=${day(3)}..${day(2)}`);
    const json = (await (await page.request.get(`${base}${href.replace("format=csv", "format=json")}`)).json()) as {
      sites: { key: string; series: { label: string }[] }[];
    };
    expect(json.sites.find((x) => x.key === site("pune"))?.series.map((b) => b.label)).toEqual([day(3), day(2)]);
    // a reversed period is explained, not shown empty
    await page.goto(`${base}/?period=custom&from=${day(1)}&to=${day(3)}`);
    expect(await page.locator(".banner").textContent()).toContain("The first day must not be after the last day");
  });

  it("a plant manager sees only their site and no ingest monitor; maintenance only theirs", async () => {
    const pm = await (await browserAs("pm.dresden")).newPage();
    await pm.goto(`${base}/?period=7d`);
    await expect.poll(() => pm.getByTestId("site-ranking").locator(".site-card").count(), { timeout: 30_000 }).toBe(1);
    expect(await pm.getByTestId("site-dresden").count()).toBe(1);
    expect(await pm.getByRole("link", { name: "Live ingest" }).count()).toBe(0);
    expect(await pm.getByTestId("who").textContent()).toContain("Plant manager");
    await pm.goto(`${base}/ingest`);
    expect(await pm.getByTestId("forbidden").count()).toBe(1);

    const tech = await (await browserAs("tech.pune")).newPage();
    await tech.goto(`${base}/?period=7d`);
    await expect.poll(() => tech.getByTestId("site-ranking").locator(".site-card").count(), { timeout: 30_000 }).toBe(1);
    expect(await tech.getByTestId("site-pune").count()).toBe(1);
  });

  it("a maintenance technician sees the alert badge, acknowledges and resolves an alert in the inbox", async () => {
    const page = await (await browserAs("tech.pune")).newPage();
    await page.goto(`${base}/?period=7d`);
    expect(Number(await page.getByTestId("alerts-badge").textContent())).toBeGreaterThanOrEqual(2);
    await page.getByRole("link", { name: /Alerts/ }).click();
    await page.waitForURL(/\/alerts$/);
    const card = page.getByTestId("alert-zone:velocity_rms_mm_s");
    await expect.poll(() => card.textContent(), { timeout: 15_000 }).toContain("velocity_rms_mm_s 4.9 against a baseline of 1.1");
    expect(await page.getByTestId("alert-drift:crest_factor").count()).toBe(0); // Dresden's alert is not Pune's business
    await page.screenshot({ path: join(repoRoot, ".andon", "e2e-alerts.png"), fullPage: true });
    await card.getByRole("button", { name: "Acknowledge" }).click();
    await expect.poll(() => card.textContent(), { timeout: 15_000 }).toContain("acknowledged by tech.pune");
    await card.getByLabel("Resolution note").fill("bearing regreased, vibration back in zone B");
    await card.getByRole("button", { name: "Resolve" }).click();
    // resolved alerts leave the active list without a reload
    await expect.poll(() => card.count(), { timeout: 15_000 }).toBe(0);
    const stored = await prismaFor(databaseUrl).alert.findUniqueOrThrow({ where: { id: alertIds.inbox as string } });
    expect(stored).toMatchObject({
      status: "RESOLVED",
      acknowledgedBy: "tech.pune",
      resolvedBy: "tech.pune",
      resolveNote: "bearing regreased, vibration back in zone B",
    });
    // an empty filter says what it filtered and offers every state: the resolved alert is still there
    await page.getByLabel("State").selectOption("cleared");
    // the API counts each status of the filter (one request): the other states' sum is what the inbox says
    const counted = (await (await page.request.get(`${base}/api/v1/alerts?status=CLEARED`)).json()) as { alerts: unknown[]; byStatus: Record<string, number> };
    expect(counted.alerts).toEqual([]);
    expect(counted.byStatus.CLEARED).toBe(0);
    expect(counted.byStatus.RESOLVED).toBeGreaterThanOrEqual(1); // the one just resolved
    const others = counted.byStatus.OPEN! + counted.byStatus.ACKNOWLEDGED! + counted.byStatus.RESOLVED!;
    await expect.poll(() => page.locator(".empty").textContent(), { timeout: 15_000 }).toContain(`No cleared alerts. ${others} in the other states.`);
    await page.getByRole("button", { name: "Show alerts in every state" }).click();
    await expect.poll(() => card.textContent(), { timeout: 15_000 }).toContain("resolved");
    expect(await page.getByLabel("State").inputValue()).toBe("all");
    // the URL follows the filters: the link shows the same list, from the server's first answer on
    await page.waitForURL(/\/alerts\?state=all$/);
    const linked = await (await browserAs("tech.pune")).newPage();
    const html = await (await linked.goto(page.url()))?.text();
    expect(html).toContain("bearing regreased, vibration back in zone B");
    expect(await linked.getByLabel("State").inputValue()).toBe("all");
    // a site the reader may not see is not a filter (and shows nothing of it)
    await linked.goto(`${base}/alerts?state=all&site=${site("dresden")}`);
    expect(await linked.getByLabel("Site").inputValue()).toBe("");
    await expect.poll(() => linked.getByTestId("alert-zone:velocity_rms_mm_s").textContent(), { timeout: 15_000 }).toContain("resolved");
    expect(await linked.getByTestId("alert-drift:crest_factor").count()).toBe(0);
  });

  it("an admin creates a user in the browser; the password is shown once and works", async () => {
    const page = await (await browserAs("admin")).newPage();
    await page.goto(`${base}/admin/users`);
    const form = page.getByRole("form", { name: "New user" });
    await form.getByLabel("User name").fill("pm.monterrey");
    await form.getByLabel("Full name").fill("Marta Manager");
    await form.getByLabel("Role").selectOption("PLANT_MANAGER");
    await form.getByLabel("Monterrey").check();
    await form.getByRole("button", { name: "Create user" }).click();
    const shown = page.getByTestId("new-password");
    await expect.poll(() => shown.count(), { timeout: 15_000 }).toBe(1);
    const password = (await shown.locator("code").textContent()) ?? "";
    expect(password).toMatch(/^[\w-]{20}$/);
    expect(await page.getByTestId("users").textContent()).toContain("Marta Manager");
    await page.screenshot({ path: join(repoRoot, ".andon", "e2e-users.png"), fullPage: true });
    passwords["pm.monterrey"] = password;
    const theirs = await (await browserAs("pm.monterrey")).newPage();
    await theirs.goto(`${base}/?period=7d`);
    await expect.poll(() => theirs.getByTestId("site-ranking").locator(".site-card").count(), { timeout: 30_000 }).toBe(1);
    expect(await theirs.getByTestId("site-monterrey").count()).toBe(1);
  });

  it("an admin sees every site and the ingest monitor; signing out ends the session", async () => {
    const c = await browserAs("admin");
    const page = await c.newPage();
    await page.goto(`${base}/?period=7d`);
    await expect.poll(() => page.getByTestId("site-ranking").locator(".site-card").count(), { timeout: 30_000 }).toBe(3);
    expect(await page.getByRole("link", { name: "Live ingest" }).count()).toBe(1);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/login/);
    await page.goto(`${base}/`);
    await page.waitForURL(/\/login/);
  });
});

type Who = "anonymous" | "admin" | "corp" | "pm.dresden" | "tech.pune" | "token" | "read-token";
const WHO: Who[] = ["anonymous", "admin", "corp", "pm.dresden", "tech.pune", "token", "read-token"];

/** One request per catalog entry, with input that passes validation, so only access decides. */
const dresdenMachine = () => `${ent}/dresden/machining/line-1/cnc-01`;
const puneMachine = () => `${ent}/pune/packaging/fill-1/filler-01`;
const range = () => `from=${Date.now() - 7 * DAY}&to=${Date.now()}`;
const REQUESTS: Record<keyof typeof catalog, { method: string; path: () => string; body?: () => unknown }[]> = {
  login: [],
  logout: [],
  me: [{ method: "GET", path: () => "/api/v1/me" }],
  sites: [{ method: "GET", path: () => "/api/v1/sites" }],
  siteOee: [
    { method: "GET", path: () => `/api/v1/oee/sites?${range()}` },
    { method: "GET", path: () => `/api/v1/oee/sites?${range()}&site=${site("pune")}` },
  ],
  plantShift: [
    { method: "GET", path: () => `/api/v1/sites/${ent}/dresden/shift` },
    { method: "GET", path: () => `/api/v1/sites/${ent}/pune/shift` },
  ],
  shiftReport: [
    { method: "GET", path: () => `/api/v1/sites/${ent}/dresden/report` },
    { method: "GET", path: () => `/api/v1/sites/${ent}/pune/report?day=${new Date().toISOString().slice(0, 10)}` },
  ],
  plantStream: [
    { method: "GET", path: () => `/api/v1/sites/${ent}/dresden/stream` },
    { method: "GET", path: () => `/api/v1/sites/${ent}/pune/stream` },
  ],
  machine: [
    { method: "GET", path: () => `/api/v1/machines/${ent}/dresden/machining/line-1/cnc-01` },
    { method: "GET", path: () => `/api/v1/machines/${ent}/pune/packaging/fill-1/filler-01?hours=48` },
  ],
  assignReason: [
    {
      method: "POST",
      path: () => "/api/v1/reasons",
      body: () => ({ machine: dresdenMachine(), start: Date.now() - 3_600_000, end: Date.now() - 3_000_000, reason: "jam" }),
    },
    {
      method: "POST",
      path: () => "/api/v1/reasons",
      body: () => ({ machine: puneMachine(), start: Date.now() - 3_600_000, end: Date.now() - 3_000_000, reason: "jam" }),
    },
  ],
  splitStop: [
    {
      method: "POST",
      path: () => "/api/v1/reasons/split",
      body: () => ({ machine: puneMachine(), start: Date.now() - 3_600_000, end: Date.now() - 3_000_000, at: Date.now() - 3_300_000, reasons: ["a", "b"] }),
    },
  ],
  ingestStatus: [{ method: "GET", path: () => "/api/v1/ingest/status" }],
  alerts: [
    { method: "GET", path: () => "/api/v1/alerts" },
    { method: "GET", path: () => `/api/v1/alerts?site=${site("pune")}` },
  ],
  alertStream: [{ method: "GET", path: () => "/api/v1/alerts/stream" }],
  acknowledgeAlert: [{ method: "POST", path: () => `/api/v1/alerts/${alertIds.pune}/acknowledge` }],
  assignAlert: [{ method: "POST", path: () => `/api/v1/alerts/${alertIds.pune}/assign`, body: () => ({ assignee: "tech.pune" }) }],
  resolveAlert: [{ method: "POST", path: () => `/api/v1/alerts/${alertIds.dresden}/resolve`, body: () => ({ note: "checked: sensor cable loose" }) }],
  commandTypes: [{ method: "GET", path: () => "/api/v1/commands/types" }],
  machineCommands: [
    { method: "GET", path: () => `/api/v1/machines/${dresdenMachine()}/commands` },
    { method: "GET", path: () => `/api/v1/machines/${puneMachine()}/commands` },
  ],
  machineCommandStream: [
    { method: "GET", path: () => `/api/v1/machines/${dresdenMachine()}/commands/stream` },
    { method: "GET", path: () => `/api/v1/machines/${puneMachine()}/commands/stream` },
  ],
  sendCommand: [
    { method: "POST", path: () => `/api/v1/machines/${dresdenMachine()}/commands`, body: () => ({ type: "request_inspection", params: { note: "matrix" } }) },
    { method: "POST", path: () => `/api/v1/machines/${puneMachine()}/commands`, body: () => ({ type: "set_speed", params: { speed_pct: 80 }, confirm: true }) },
  ],
  siteCommands: [{ method: "GET", path: () => `/api/v1/sites/${ent}/pune/commands` }],
  command: [{ method: "GET", path: () => `/api/v1/commands/${commandIds.dresden}` }],
  cancelCommand: [{ method: "POST", path: () => `/api/v1/commands/${commandIds.dresdenToCancel}/cancel` }],
  tokens: [{ method: "GET", path: () => "/api/v1/admin/tokens" }],
  createToken: [{ method: "POST", path: () => "/api/v1/admin/tokens", body: () => ({ name: "matrix-token", role: "CORPORATE", sites: [site("pune")] }) }],
  revokeToken: [{ method: "POST", path: () => "/api/v1/admin/tokens/to-revoke/revoke" }],
  assets: [{ method: "GET", path: () => "/api/v1/admin/assets" }],
  connectActivity: [{ method: "GET", path: () => `/api/v1/admin/connect/${dresdenMachine()}?since=${Date.now() - 60_000}` }],
  // the e2e stack is single-broker: an admin gets 409 (device accounts are for the factory brokers), others are refused first
  connectAccount: [{ method: "POST", path: () => `/api/v1/admin/connect/${dresdenMachine()}/account` }],
  createMachine: [
    {
      method: "POST",
      path: () => "/api/v1/admin/machines",
      body: () => ({
        line: `${ent}/pune/packaging/fill-2`,
        slug: "matrix-01",
        name: "Made by the matrix",
        idealCycleTimeS: 2,
        vibrationGroup: "GROUP_2",
        foundation: "RIGID",
        nominalSpeedRpm: null,
        bearingRollingElements: null,
        bearingBallDiameterMm: null,
        bearingPitchDiameterMm: null,
        bearingContactAngleDeg: null,
        hasWaveformSensor: false,
      }),
    },
  ],
  updateMachine: [{ method: "POST", path: () => `/api/v1/admin/machines/${assetIds.packer}`, body: () => ({ name: "Packer 1" }) }],
  setLineCalendar: [{ method: "POST", path: () => `/api/v1/admin/lines/${assetIds.fill2}/calendar`, body: () => ({ calendarId: assetIds.fill2Calendar }) }],
  setCalendarShifts: [{ method: "POST", path: () => `/api/v1/admin/calendars/${assetIds.fill2Calendar}/shifts`, body: () => ({ shifts: puneShifts }) }],
  lossMappings: [{ method: "GET", path: () => "/api/v1/admin/loss-mappings" }],
  sparkplugMappings: [{ method: "GET", path: () => "/api/v1/admin/sparkplug-mappings" }],
  // set, then removed by the next entry (run in this order), so the plant is as it was
  setSparkplugMapping: [
    {
      method: "POST",
      path: () => "/api/v1/admin/sparkplug-mappings",
      body: () => ({ group: "e2e", edgeNode: "gw", device: "", metric: "Speed", machine: dresdenMachine(), channel: "metrics", field: "speed" }),
    },
  ],
  removeSparkplugMapping: [
    { method: "POST", path: () => "/api/v1/admin/sparkplug-mappings/remove", body: () => ({ group: "e2e", edgeNode: "gw", device: "", metric: "Speed" }) },
  ],
  // an unchanged copy of v1 as v2 (assigned to no machine, not the default): the numbers stay what they were
  createLossMappingVersion: [
    {
      method: "POST",
      path: () => "/api/v1/admin/loss-mappings",
      body: () => ({
        enterprise: ent,
        name: "default",
        basedOnVersion: 1,
        microStopThresholdS: mappingV1.microStopThresholdS,
        startupWindowS: mappingV1.startupWindowS ?? 0,
        rules: mappingV1.rules,
        makeDefault: false,
        machines: [],
      }),
    },
  ],
  setMachineLossMapping: [
    { method: "POST", path: () => `/api/v1/admin/machines/${assetIds.packer}/loss-mapping`, body: () => ({ lossMappingId: assetIds.mappingV1 }) },
  ],
  createSite: [
    {
      method: "POST",
      path: () => "/api/v1/admin/sites",
      body: () => ({ enterprise: ent, slug: "matrix-site", name: "Matrix site", timeZone: "Asia/Kolkata" }),
    },
  ],
  renameSite: [{ method: "POST", path: () => `/api/v1/admin/sites/${assetIds.puneSite}`, body: () => ({ name: structureNames.pune }) }],
  createArea: [{ method: "POST", path: () => "/api/v1/admin/areas", body: () => ({ site: site("pune"), slug: "matrix-area", name: "Matrix area" }) }],
  renameArea: [{ method: "POST", path: () => `/api/v1/admin/areas/${assetIds.packaging}`, body: () => ({ name: structureNames.packaging }) }],
  createLine: [
    { method: "POST", path: () => "/api/v1/admin/lines", body: () => ({ area: `${ent}/pune/packaging`, slug: "matrix-line", name: "Matrix line" }) },
  ],
  renameLine: [{ method: "POST", path: () => `/api/v1/admin/lines/${assetIds.fill2}`, body: () => ({ name: structureNames.fill2 }) }],
  // not empty: the admin's answer is a 409 (the matrix checks who may ask, not what is removed)
  removeSite: [{ method: "POST", path: () => `/api/v1/admin/sites/${assetIds.puneSite}/remove` }],
  removeArea: [{ method: "POST", path: () => `/api/v1/admin/areas/${assetIds.packaging}/remove` }],
  removeLine: [{ method: "POST", path: () => `/api/v1/admin/lines/${assetIds.fill2}/remove` }],
  users: [{ method: "GET", path: () => "/api/v1/admin/users" }],
  createUser: [
    {
      method: "POST",
      path: () => "/api/v1/admin/users",
      body: () => ({ username: "matrix.made", displayName: "Made by the matrix", role: "MAINTENANCE", sites: [site("pune")] }),
    },
  ],
  disableUser: [{ method: "POST", path: () => "/api/v1/admin/users/to-disable/disable" }],
  resetPassword: [{ method: "POST", path: () => "/api/v1/admin/users/to-reset/password" }],
  audit: [{ method: "GET", path: () => "/api/v1/admin/audit?limit=5" }],
  openapi: [{ method: "GET", path: () => "/api/v1/openapi.json" }],
};

// Expected outcome per request (same order as REQUESTS) and caller: "ok" = allowed (2xx, or 400/404
// from the handler when the request itself is wrong for the data), 401, 403. Written by hand from the
// role table in docs, not computed from the policy code.
const EXPECT: Record<string, Record<Exclude<Who, "read-token">, "ok" | 401 | 403>> = {
  "me#0": { anonymous: 401, admin: "ok", corp: "ok", "pm.dresden": "ok", "tech.pune": "ok", token: "ok" },
  "sites#0": { anonymous: 401, admin: "ok", corp: "ok", "pm.dresden": "ok", "tech.pune": "ok", token: "ok" },
  "siteOee#0": { anonymous: 401, admin: "ok", corp: "ok", "pm.dresden": "ok", "tech.pune": "ok", token: "ok" },
  "siteOee#1": { anonymous: 401, admin: "ok", corp: "ok", "pm.dresden": 403, "tech.pune": "ok", token: 403 },
  "plantShift#0": { anonymous: 401, admin: "ok", corp: "ok", "pm.dresden": "ok", "tech.pune": 403, token: "ok" },
  "plantShift#1": { anonymous: 401, admin: "ok", corp: "ok", "pm.dresden": 403, "tech.pune": "ok", token: 403 },
  "shiftReport#0": { anonymous: 401, admin: "ok", corp: "ok", "pm.dresden": "ok", "tech.pune": 403, token: "ok" },
  "shiftReport#1": { anonymous: 401, admin: "ok", corp: "ok", "pm.dresden": 403, "tech.pune": "ok", token: 403 },
  "plantStream#0": { anonymous: 401, admin: "ok", corp: "ok", "pm.dresden": "ok", "tech.pune": 403, token: "ok" },
  "plantStream#1": { anonymous: 401, admin: "ok", corp: "ok", "pm.dresden": 403, "tech.pune": "ok", token: 403 },
  "machine#0": { anonymous: 401, admin: "ok", corp: "ok", "pm.dresden": "ok", "tech.pune": 403, token: "ok" },
  "machine#1": { anonymous: 401, admin: "ok", corp: "ok", "pm.dresden": 403, "tech.pune": "ok", token: 403 },
  "assignReason#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": "ok", "tech.pune": 403, token: "ok" },
  "assignReason#1": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "splitStop#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "alerts#0": { anonymous: 401, admin: "ok", corp: "ok", "pm.dresden": "ok", "tech.pune": "ok", token: "ok" },
  "alerts#1": { anonymous: 401, admin: "ok", corp: "ok", "pm.dresden": 403, "tech.pune": "ok", token: 403 },
  "alertStream#0": { anonymous: 401, admin: "ok", corp: "ok", "pm.dresden": "ok", "tech.pune": "ok", token: "ok" },
  // the first allowed caller acknowledges (200); later allowed callers get 409 (already acknowledged): allowed
  "acknowledgeAlert#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": "ok", token: 403 },
  "assignAlert#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": "ok", token: 403 },
  "resolveAlert#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": "ok", "tech.pune": 403, token: "ok" },
  "commandTypes#0": { anonymous: 401, admin: "ok", corp: "ok", "pm.dresden": "ok", "tech.pune": "ok", token: "ok" },
  "machineCommands#0": { anonymous: 401, admin: "ok", corp: "ok", "pm.dresden": "ok", "tech.pune": 403, token: "ok" },
  "machineCommands#1": { anonymous: 401, admin: "ok", corp: "ok", "pm.dresden": 403, "tech.pune": "ok", token: 403 },
  "machineCommandStream#0": { anonymous: 401, admin: "ok", corp: "ok", "pm.dresden": "ok", "tech.pune": 403, token: "ok" },
  "machineCommandStream#1": { anonymous: 401, admin: "ok", corp: "ok", "pm.dresden": 403, "tech.pune": "ok", token: 403 },
  // corporate never commands machines; maintenance may not change a machine's speed
  "sendCommand#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": "ok", "tech.pune": 403, token: "ok" },
  "sendCommand#1": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "siteCommands#0": { anonymous: 401, admin: "ok", corp: "ok", "pm.dresden": 403, "tech.pune": "ok", token: 403 },
  "command#0": { anonymous: 401, admin: "ok", corp: "ok", "pm.dresden": "ok", "tech.pune": 403, token: "ok" },
  // the first allowed caller cancels (200); later ones get 409 (no longer queued): allowed
  "cancelCommand#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": "ok", "tech.pune": 403, token: "ok" },
  "tokens#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "createToken#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "revokeToken#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "assets#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "connectActivity#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "connectAccount#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "createMachine#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "updateMachine#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "setLineCalendar#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "setCalendarShifts#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "lossMappings#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "sparkplugMappings#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "setSparkplugMapping#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "removeSparkplugMapping#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "createLossMappingVersion#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "setMachineLossMapping#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "createSite#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "renameSite#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "createArea#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "renameArea#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "createLine#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "renameLine#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "removeSite#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "removeArea#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "removeLine#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "users#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "createUser#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "disableUser#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "resetPassword#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "audit#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "ingestStatus#0": { anonymous: 401, admin: "ok", corp: 403, "pm.dresden": 403, "tech.pune": 403, token: 403 },
  "openapi#0": { anonymous: "ok", admin: "ok", corp: "ok", "pm.dresden": "ok", "tech.pune": "ok", token: "ok" },
};

function routeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? routeFiles(p) : f === "route.ts" ? [p] : [];
  });
}

describe("access control", () => {
  it("every route file under app/api/v1 is in the catalog, and every catalog entry is exercised", () => {
    const paths = routeFiles(join(repoRoot, "app", "api", "v1")).map(
      (f) =>
        `/api/v1/${relative(join(repoRoot, "app", "api", "v1"), f)
          .replace(/\/route\.ts$/, "")
          .replace(/\[(\w+)\]/g, "{$1}")}`,
    );
    // one route file may serve several methods (GET and POST /api/v1/admin/users)
    expect(paths.sort()).toEqual([...new Set(Object.values(catalog).map((c) => c.path))].sort());
    for (const id of Object.keys(catalog)) {
      if (id === "login" || id === "logout") continue; // their own test below
      expect(
        Object.keys(EXPECT).some((k) => k.startsWith(`${id}#`)),
        id,
      ).toBe(true);
    }
  });

  it("allows and denies every route for every role, an API token and a signed-out visitor, across sites", { timeout: 120_000 }, async () => {
    const auth: Record<Who, Record<string, string>> = {
      anonymous: {},
      admin: { cookie: await cookieFor("admin") },
      corp: { cookie: await cookieFor("corp") },
      "pm.dresden": { cookie: await cookieFor("pm.dresden") },
      "tech.pune": { cookie: await cookieFor("tech.pune") },
      token: { authorization: `Bearer ${mesToken}` },
      "read-token": { authorization: `Bearer ${readToken}` },
    };
    const failures: string[] = [];
    for (const [id, list] of Object.entries(REQUESTS)) {
      for (const [i, r] of list.entries()) {
        const written = EXPECT[`${id}#${i}`];
        if (!written) throw new Error(`no expectation for ${id}#${i}`);
        // the read-only token has the read-write token's role and sites: the same answer to a GET, 403 to any POST
        const want: Record<Who, "ok" | 401 | 403> = { ...written, "read-token": r.method === "GET" ? written.token : 403 };
        for (const who of WHO) {
          const body = r.body?.();
          const abort = new AbortController();
          const res = await fetch(`${base}${r.path()}`, {
            method: r.method,
            headers: { ...auth[who], ...(body ? { "content-type": "application/json" } : {}) },
            ...(body ? { body: JSON.stringify(body) } : {}),
            signal: abort.signal,
          });
          // an event stream never ends: its status and headers are the answer
          const streaming = res.ok && res.headers.get("content-type")?.startsWith("text/event-stream");
          if (streaming) abort.abort();
          const text = streaming ? "" : await res.text();
          const got = res.status === 401 || res.status === 403 ? res.status : res.status < 500 ? "ok" : res.status;
          if (got !== want[who]) failures.push(`${r.method} ${r.path()} as ${who}: expected ${want[who]}, got ${res.status} ${text}`);
          if (res.status >= 400) {
            const e = (() => {
              try {
                return JSON.parse(text) as { error?: { code?: string; message?: string } };
              } catch {
                return null;
              }
            })();
            if (!e?.error?.code || !e.error.message) failures.push(`${r.method} ${r.path()} as ${who}: error without {error:{code,message}}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it("a site-scoped user sees only their sites' data in lists", async () => {
    const res = await fetch(`${base}/api/v1/sites`, { headers: { cookie: await cookieFor("tech.pune") } });
    const body = (await res.json()) as { sites: { key: string }[] };
    expect(body.sites.map((s) => s.key)).toEqual([site("pune")]);
    // the same period asked by someone who sees every site, a moment before: answers are shared only
    // among callers who see the same sites
    const q = range();
    const all = await fetch(`${base}/api/v1/oee/sites?${q}`, { headers: { cookie: await cookieFor("corp") } });
    expect(((await all.json()) as { sites: { key: string }[] }).sites.length).toBeGreaterThan(1);
    const oee = await fetch(`${base}/api/v1/oee/sites?${q}`, { headers: { authorization: `Bearer ${mesToken}` } });
    expect(((await oee.json()) as { sites: { key: string }[] }).sites.map((s) => s.key)).toEqual([site("dresden")]);
  });

  it("sign-out ends the session on the server; bad input is a 400 naming the field", async () => {
    const cookie = await cookieFor("corp");
    expect((await fetch(`${base}/api/v1/me`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${base}/api/v1/auth/logout`, { method: "POST", headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${base}/api/v1/me`, { headers: { cookie } })).status).toBe(401);
    const bad = await fetch(`${base}/api/v1/oee/sites?from=yesterday&to=${Date.now()}`, { headers: { cookie: await cookieFor("corp") } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: "invalid",
      message: expect.stringContaining("query.from"),
    });
    const wrong = await fetch(`${base}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "corp", password: "nope" }),
    });
    expect(wrong.status).toBe(401);
  });
});

describe("plant page", () => {
  it("a plant manager sees the andon board and timeline, corrects a downtime reason, and OEE changes", { timeout: 180_000 }, async () => {
    const MIN = 60_000;
    const now = Math.floor(Date.now() / MIN) * MIN;
    const path = { enterprise: ent, site: "dresden", area: "machining", line: "line-1", machine: "cnc-01" };
    const breakdown = now - 30 * MIN;
    // raw telemetry exactly as the ingest writes it: running, a 10 min breakdown, running; parts every minute
    const writer = new QuestWriter({ httpUrl: stack.QUESTDB_HTTP_URL });
    const rows = [
      ...[
        [now - 50 * MIN, "running"],
        [breakdown, "equipment_failure"],
        [breakdown + 10 * MIN, "running"],
      ].flatMap(([ts, state]) => telemetryRows(path, { channel: "state", msg: { v: 1, ts: Number(ts) * 1000, state: String(state) } } as never)),
      // vibration features every 5 min at 3.0 mm/s: zone C for a group 2 machine on a rigid foundation
      ...Array.from({ length: 10 }, (_, i) => now - 50 * MIN + i * 5 * MIN).flatMap((t) =>
        telemetryRows(path, { channel: "vibration", msg: { v: 1, ts: t * 1000, sensor: "de-bearing", velocity_rms_mm_s: 3.0 } } as never),
      ),
      ...Array.from({ length: 50 }, (_, i) => now - 50 * MIN + i * MIN)
        .filter((t) => t < breakdown || t >= breakdown + 10 * MIN)
        .flatMap((t) => telemetryRows(path, { channel: "counts", msg: { v: 1, ts: t * 1000, mode: "delta", total: 1, reject: 0 } } as never)),
    ];
    await writer.write(rows);
    const pool = questPool(stack.QUESTDB_PG_URL, stack.QUESTDB_PG_PASSWORD);
    await waitWalApplied(pool, [TABLES.state, TABLES.counts]);
    // the minute buckets of the last hour, as the scheduled job writes them; then a worker for the recompute the edit asks for
    const prisma = prismaFor(databaseUrl);
    const machines = (await loadMachines(prisma)).filter((m) => m.site === "dresden");
    const deps = { pool, writer, machines, reasonEdits: (r: { start: number; end: number }) => reasonEditsByPath(prisma, r) };
    await rollupBuckets(deps, "minute", (place) => bucketsOverlapping("minute", place, now - 60 * MIN, now));
    await waitWalApplied(pool, [TABLES.oeeMachine]);
    const connection = new Redis(stack.REDIS_URL, { maxRetriesPerRequest: null });
    const worker = oeeWorker(connection, async () => ({ ...deps, watermark: { get: async () => undefined, set: async () => {} } }));
    try {
      const page = await (await browserAs("pm.dresden")).newPage();
      await page.goto(`${base}/sites/${ent}/dresden`);
      const line = page.getByTestId("line-line-1");
      const tile = line.getByTestId("machine-cnc-01");
      await expect.poll(() => tile.textContent(), { timeout: 30_000 }).toContain("running");
      const before = await tile.getByTestId("machine-oee").textContent();
      // 40 parts at 42 s ideal over the 60 planned minutes computed above (the first 10 without data)
      expect(before).toBe(`${(((40 * 42) / (60 * 60)) * 100).toFixed(1)} %`);
      expect(await page.getByTestId("reasons").textContent()).toContain("(equipment_failure, no reason given)");
      await page.screenshot({ path: join(repoRoot, ".andon", "e2e-plant.png"), fullPage: true });

      await line.getByTestId(`stop-cnc-01-${breakdown}`).click();
      const dialog = page.getByRole("form", { name: "Downtime reason" });
      await dialog.getByLabel("Reason").fill("planned-maintenance");
      await dialog.getByLabel("Note (optional)").fill("PM had been planned, not a failure");
      await dialog.getByRole("button", { name: "Save reason" }).click();
      await expect.poll(() => page.getByRole("status").textContent(), { timeout: 15_000 }).toContain("OEE is being recomputed");
      // the 10 breakdown minutes become planned stop: 40 × 42 s over 50 planned minutes
      await expect.poll(() => tile.getByTestId("machine-oee").textContent(), { timeout: 60_000 }).toBe(`${(((40 * 42) / (50 * 60)) * 100).toFixed(1)} %`);
      // the machine page from the tile: state, ISO zone, vibration chart, and no fake alerts
      await tile.getByRole("link", { name: "CNC mill 1" }).click();
      await page.waitForURL(/\/sites\/.+\/machining\/line-1\/cnc-01$/);
      expect(await page.getByTestId("state-now").textContent()).toBe("running");
      expect(await page.getByTestId("zone-now").textContent()).toBe("C (3.00 mm/s)");
      // recharts draws after measuring its container: wait for it (a loaded machine was seen to be slower than one look)
      await expect.poll(() => page.getByTestId("vibration").locator("svg.recharts-surface").count()).toBeGreaterThan(0);
      expect(await page.getByTestId("machine-alerts").textContent()).toContain("No open alerts for this machine.");
      // a steady velocity sampled every 5 min: too little for a remaining-useful-life trend, and the page says so
      expect(await page.getByTestId("rul-none").textContent()).toContain("No forecast: not enough velocity measured while running");
      // the crest-factor alert raised for this machine at the start (resolved since) is marked on the chart
      expect(await page.getByTestId("anomaly-count").textContent()).toContain("1 alert began in the last 24 h");
      await expect.poll(() => page.getByTestId("vibration").locator(".recharts-reference-line").count()).toBe(1);
      await page.screenshot({ path: join(repoRoot, ".andon", "e2e-machine.png"), fullPage: true });
      const audit = await prisma.auditLog.findMany({ where: { action: "downtime.reason.assign", actor: "pm.dresden" } });
      expect(audit).toHaveLength(1);
      expect(audit[0]?.subject).toBe(`${ent}/dresden/machining/line-1/cnc-01`);
    } finally {
      await worker.close();
      connection.disconnect();
      await writer.close();
      await pool.end();
    }
  });
});

describe("shift report", () => {
  it("a corporate user opens the last shift's report from the plant board; its figures are the API's, and it prints to PDF", { timeout: 180_000 }, async () => {
    const MIN = 60_000;
    const cookie = await cookieFor("corp");
    const api = async (q = "") => {
      const res = await fetch(`${base}/api/v1/sites/${ent}/monterrey/report${q}`, { headers: { cookie } });
      expect(res.status).toBe(200);
      return (await res.json()) as ShiftReportJson;
    };
    // the period the report shows by default: the last complete shift of Monterrey's calendar
    const { period } = await api();
    expect(period.kind).toBe("shift");
    expect(period.complete).toBe(true);
    const S = period.start;
    // press-01 in that shift: running, a 20 min breakdown after an hour, two 60 s stops (micro-stops:
    // the mapping's threshold is 120 s), 20 parts a minute while running and a reject every 10 minutes
    const path = { enterprise: ent, site: "monterrey", area: "stamping", line: "press-1", machine: "press-01" };
    const states: [number, string][] = [
      [S - 1000, "running"],
      [S + 60 * MIN, "equipment_failure"],
      [S + 80 * MIN, "running"],
      [S + 200 * MIN, "equipment_failure"],
      [S + 201 * MIN, "running"],
      [S + 320 * MIN, "equipment_failure"],
      [S + 321 * MIN, "running"],
    ];
    // no parts in the stops, nor in the calendar's breaks (150–165 and 270–300 min into the shift)
    const off = [
      [60, 80],
      [150, 165],
      [200, 201],
      [270, 300],
      [320, 321],
    ];
    const running = (t: number) => !off.some(([a, b]) => t >= S + (a as number) * MIN && t < S + (b as number) * MIN);
    const minutes = Array.from({ length: (period.end - S) / MIN }, (_, i) => S + i * MIN).filter(running);
    const seeded = { total: minutes.length * 20, reject: minutes.filter((t) => (t - S) % (10 * MIN) === 0).length };
    const writer = new QuestWriter({ httpUrl: stack.QUESTDB_HTTP_URL });
    await writer.write([
      ...states.flatMap(([ts, state]) => telemetryRows(path, { channel: "state", msg: { v: 1, ts: ts * 1000, state } } as never)),
      ...minutes.flatMap((t) =>
        telemetryRows(path, {
          channel: "counts",
          msg: { v: 1, ts: (t + 30_000) * 1000, mode: "delta", total: 20, reject: (t - S) % (10 * MIN) === 0 ? 1 : 0 },
        } as never),
      ),
    ]);
    const pool = questPool(stack.QUESTDB_PG_URL, stack.QUESTDB_PG_PASSWORD);
    const prisma = prismaFor(databaseUrl);
    try {
      await waitWalApplied(pool, [TABLES.state, TABLES.counts]);
      // the shift's minute buckets of Monterrey, as the scheduled job writes them
      const machines = (await loadMachines(prisma)).filter((m) => m.site === "monterrey");
      await rollupBuckets({ pool, writer, machines, reasonEdits: (r) => reasonEditsByPath(prisma, r) }, "minute", (place) =>
        bucketsOverlapping("minute", place, S, period.end),
      );
      await waitWalApplied(pool, [TABLES.oeeMachine]);
      // an alert that opened during the shift
      const pub = await mqtt.connectAsync(stack.MQTT_URL, { protocolVersion: 5 });
      const alert = await raiseAlert(
        { prisma, publish: async (t: string, p: string) => void (await pub.publishAsync(t, p, { qos: 1 })) },
        {
          machineKey: `${ent}/monterrey/stamping/press-1/press-01`,
          feature: "velocity_rms_mm_s",
          cause: "zone:velocity_rms_mm_s",
          severity: "WARNING",
          value: 5.1,
          baseline: 2.0,
          zone: "C",
          explanation: "velocity_rms_mm_s 5.1 mm/s in zone C",
          suggestedAction: "plan an inspection of the press bearings",
          detectorVersion: "test",
          at: S + 120 * MIN,
        },
      );
      await pub.endAsync();

      const report = await api();
      const press = report.machines.find((m) => m.key === `${ent}/monterrey/stamping/press-1/press-01`);
      expect(press?.elements.total).toBe(seeded.total);
      expect(press?.elements.reject).toBe(seeded.reject);
      expect(press?.microStops).toBe(2);
      expect(press?.stops).toBe(3);
      expect(report.microStops.count).toBe(2);
      expect(report.reasons.find((r) => r.reason === "(equipment_failure, no reason given)")).toMatchObject({ stops: 3, seconds: 22 * 60 });
      expect(report.losses.find((l) => l.name === "Breakdowns")?.seconds).toBe(20 * 60);
      expect(report.alerts?.list.map((a) => a.id)).toContain(alert.alert.id);
      expect(report.alerts?.list.find((a) => a.id === alert.alert.id)).toMatchObject({ opened: true, closed: false });

      // from the plant board to the report, in the browser
      const page = await (await browserAs("corp")).newPage();
      await page.goto(`${base}/sites/${ent}/monterrey`);
      await page.getByRole("link", { name: "Shift report" }).click();
      await page.waitForURL(/\/monterrey\/report$/);
      expect(await page.getByTestId("report-period").textContent()).toBe(period.label);
      const pct = (v: number | null) => (v === null ? "—" : `${(v * 100).toFixed(1)} %`);
      expect(await page.getByTestId("report-oee").textContent()).toBe(pct(report.totals.kpis.oee));
      expect(await page.getByTestId("report-availability").textContent()).toBe(pct(report.totals.kpis.availability));
      expect(await page.getByTestId("report-performance").textContent()).toBe(pct(report.totals.kpis.performance));
      expect(await page.getByTestId("report-quality").textContent()).toBe(pct(report.totals.kpis.quality));
      expect(await page.getByTestId("report-microstops").textContent()).toBe("2");
      expect(await page.getByTestId("report-alerts-opened").textContent()).toBe(String(report.alerts?.opened));
      for (const l of report.lines) {
        const cells = await page.getByTestId("report-lines").locator(`tr[data-key="${l.key}"] td`).allTextContents();
        expect(cells.slice(0, 5)).toEqual([l.name, pct(l.kpis.oee), pct(l.kpis.availability), pct(l.kpis.performance), pct(l.kpis.quality)]);
      }
      const row = await page.getByTestId("report-machines").locator(`tr[data-key="${press?.key}"] td`).allTextContents();
      expect(row.slice(2, 10)).toEqual([
        pct(press?.kpis.oee ?? null),
        pct(press?.kpis.availability ?? null),
        pct(press?.kpis.performance ?? null),
        pct(press?.kpis.quality ?? null),
        (seeded.total - seeded.reject).toLocaleString("en-GB"),
        String(seeded.reject),
        "3",
        "2",
      ]);
      expect(await page.getByTestId("report-reasons").textContent()).toContain("(equipment_failure, no reason given)");
      // Chromium's print of the page: a PDF with the report (print styles, A4)
      const pdf = await page.pdf({ format: "A4", printBackground: true });
      expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
      expect(pdf.toString("latin1").match(/\/Type\s*\/Page\b/g)?.length ?? 0).toBeGreaterThanOrEqual(1);
      writeFileSync(join(repoRoot, ".andon", "e2e-shift-report.pdf"), pdf);
      await page.screenshot({ path: join(repoRoot, ".andon", "e2e-shift-report.png"), fullPage: true });

      // another period from the picker: a local day
      const day = report.periods.find((p) => p.kind === "day" && p.complete);
      await page.getByLabel("Period").selectOption(`day:${day?.id}`);
      await page.getByRole("button", { name: "Show" }).click();
      await expect.poll(() => page.getByTestId("report-period").textContent()).toBe(day?.label);
      const dayReport = await api(`?day=${day?.id}`);
      expect(await page.getByTestId("report-oee").textContent()).toBe(pct(dayReport.totals.kpis.oee));
    } finally {
      await writer.close();
      await pool.end();
    }
  });

  it("the day's report lists the commands sent to the site's machines; a period outside the last week is a clear 404", async () => {
    const cookie = await cookieFor("pm.dresden");
    // the Dresden day the command was seeded on (not the day the test runs: a run across Berlin's midnight failed)
    const seeded = (await prismaFor(databaseUrl).command.findUniqueOrThrow({ where: { id: commandIds.dresden as string } })).createdAt;
    const berlinDay = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Berlin" });
    const today = berlinDay.format(seeded);
    const res = await fetch(`${base}/api/v1/sites/${ent}/dresden/report?day=${today}`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const report = (await res.json()) as ShiftReportJson;
    expect(report.period).toMatchObject({ kind: "day", id: today, complete: today !== berlinDay.format(new Date()) });
    expect(report.commands?.list.map((c) => c.id)).toContain(commandIds.dresden);
    expect(report.commands?.total).toBe(report.commands?.list.length);
    const page = await (await browserAs("pm.dresden")).newPage();
    await page.goto(`${base}/sites/${ent}/dresden/report?day=${today}`);
    expect(await page.getByTestId("report-commands-total").textContent()).toBe(String(report.commands?.total));
    expect(await page.getByTestId("report-commands").textContent()).toContain("request_inspection");
    const old = await fetch(`${base}/api/v1/sites/${ent}/dresden/report?day=2020-01-01`, { headers: { cookie } });
    expect(old.status).toBe(404);
    expect(((await old.json()) as { error: { message: string } }).error.message).toContain("no local day 2020-01-01 in the last 7 days");
    await page.goto(`${base}/sites/${ent}/dresden/report?day=2020-01-01`);
    expect(await page.getByTestId("report-unknown-period").textContent()).toContain("no local day 2020-01-01");
  });
});

describe("connect a machine", () => {
  it("an admin picks a machine, runs the page's mosquitto_pub line as shown, and sees its message arrive; a bad one shows its reason", {
    timeout: 120_000,
  }, async () => {
    // the ingest worker of this enterprise, as `andon up` runs it
    const clientId = `connect-${ent}`;
    const metricsPort = await freePort();
    const worker = spawnIngestWorker({
      ...(stack as unknown as Record<string, string>),
      // this file's asset model (a machine it does not know is dead-lettered as unknown)
      DATABASE_URL: databaseUrl,
      INGEST_CLIENT_ID: clientId,
      INGEST_ENTERPRISE: ent,
      INGEST_FLUSH_MS: "100",
      INGEST_METRICS_PORT: String(metricsPort),
    });
    try {
      // subscribed (a first session: nothing published before it would reach the worker)
      await expect.poll(() => readMetric(metricsPort, "andon_ingest_subscribed"), { timeout: 60_000, interval: 200 }).toBe(1);
      const page = await (await browserAs("admin")).newPage();
      await page.goto(`${base}/admin/assets`);
      await page.getByRole("link", { name: "Connect a machine" }).click();
      await page.waitForURL(/\/admin\/connect$/);
      await page.getByLabel("Machine").selectOption(`${ent}/dresden/machining/line-1/cnc-03`);
      await page.getByRole("button", { name: "Show" }).click();
      await page.waitForURL(/machine=/);
      const broker = new URL(stack.MQTT_URL);
      expect(await page.getByTestId("connect-broker").textContent()).toContain(`mqtt://${broker.hostname}:${broker.port}`);
      await expect.poll(() => page.getByTestId("connect-waiting").count(), { timeout: 15_000 }).toBe(1);
      // the state example exactly as the page shows it, run by a shell
      const command = (await page.getByTestId("pub-state").textContent()) as string;
      expect(command).toContain(`-t '${ent}/dresden/machining/line-1/cnc-03/state'`);
      execFileSync("sh", ["-c", command], { stdio: "pipe", timeout: 15_000 });
      await expect.poll(() => page.getByTestId("arrived-state").textContent(), { timeout: 60_000 }).toMatch(/1 message stored; the latest received/);
      expect(await page.getByTestId("connect-waiting").count()).toBe(0);
      // the counts example with a mistake: a delta with more rejects than parts is dead-lettered with the reason
      const bad = ((await page.getByTestId("pub-counts").textContent()) as string).replace('\\"reject\\":1', '\\"reject\\":99');
      expect(bad).toContain('\\"reject\\":99');
      execFileSync("sh", ["-c", bad], { stdio: "pipe", timeout: 15_000 });
      await expect
        .poll(() => page.getByTestId("connect-dead-letters").textContent(), { timeout: 60_000 })
        .toContain("reject (99) cannot exceed total (12) in a delta");
      expect(await page.getByTestId("connect-arrived").textContent()).not.toContain("counts");
      await page.screenshot({ path: join(repoRoot, ".andon", "e2e-connect.png"), fullPage: true });
    } finally {
      await worker.stop();
      await endSession(stack.MQTT_URL, clientId);
    }
  });
});

describe("alert stream", () => {
  it("pushes an alert change to the users of its site as a server-sent event, and not to others", async () => {
    const listen = async (user: string) => {
      const abort = new AbortController();
      const res = await fetch(`${base}/api/v1/alerts/stream`, { headers: { cookie: await cookieFor(user) }, signal: abort.signal });
      expect(res.headers.get("content-type")).toContain("text/event-stream");
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      let text = "";
      void (async () => {
        try {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            text += new TextDecoder().decode(value);
          }
        } catch {}
      })();
      return { text: () => text, close: () => abort.abort() };
    };
    const pune = await listen("tech.pune");
    const dresden = await listen("pm.dresden");
    await expect.poll(() => pune.text(), { timeout: 10_000 }).toContain(": andon alerts");
    const pub = await mqtt.connectAsync(stack.MQTT_URL, { protocolVersion: 5 });
    const deps = { prisma: prismaFor(databaseUrl), publish: async (t: string, p: string) => void (await pub.publishAsync(t, p, { qos: 1 })) };
    await raiseAlert(deps, {
      machineKey: puneMachine(),
      feature: "temperature_c",
      cause: "drift:temperature_c",
      severity: "WARNING",
      value: 81,
      baseline: 64,
      explanation: "temperature_c 81 against a baseline of 64",
      suggestedAction: "check lubrication",
      detectorVersion: "test",
      at: Date.now(),
    });
    await pub.endAsync();
    await expect.poll(() => pune.text(), { timeout: 15_000 }).toContain('"cause":"drift:temperature_c"');
    expect(pune.text()).toContain("event: alert");
    await new Promise((r) => setTimeout(r, 1000));
    expect(dresden.text()).not.toContain("drift:temperature_c");
    pune.close();
    dresden.close();
  });

  it("ends when its session signs out (the credential is checked again while the stream is open)", async () => {
    const cookie = await cookieFor("tech.pune");
    const res = await fetch(`${base}/api/v1/alerts/stream`, { headers: { cookie } });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const state = { text: "", ended: false };
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          state.text += new TextDecoder().decode(value);
        }
      } catch {}
      state.ended = true;
    })();
    await expect.poll(() => state.text, { timeout: 10_000 }).toContain(": andon alerts");
    expect((await fetch(`${base}/api/v1/auth/logout`, { method: "POST", headers: { cookie } })).status).toBe(200);
    await expect.poll(() => state.ended, { timeout: 30_000 }).toBe(true);
    expect(state.text).toContain("event: end");
  });
});

describe("attacks", () => {
  it("a cross-site POST with the session cookie is refused", async () => {
    const cookie = await cookieFor("pm.dresden");
    const res = await fetch(`${base}/api/v1/reasons`, {
      method: "POST",
      headers: { cookie, origin: "https://evil.example", "content-type": "application/json" },
      body: JSON.stringify({ machine: dresdenMachine(), start: Date.now() - 3_600_000, end: Date.now() - 3_000_000, reason: "x" }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain("cross-site request");
  });

  it("a client cannot choose its address with X-Forwarded-For or Andon's peer header (no trusted proxy configured)", async () => {
    const res = await fetch(`${base}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": "6.6.6.6", "x-andon-peer": "7.7.7.7" },
      body: JSON.stringify({ username: "corp", password: "spoofed-and-wrong" }),
    });
    expect(res.status).toBe(401);
    const row = await prismaFor(databaseUrl).auditLog.findFirst({
      where: { action: "auth.sign-in", subject: "corp", result: "denied" },
      orderBy: { id: "desc" },
    });
    expect(row?.origin).toBe("127.0.0.1");
  });

  it("after sign-in the browser goes only to a path on this server, whatever ?next= says", async () => {
    const c = await launchBrowser();
    contexts.push(c);
    const page = await c.newPage();
    for (const next of ["/\\evil.example", "//evil.example", "/%5Cevil.example"]) {
      await page.goto(`${base}/login?next=${encodeURIComponent(next)}`);
      await page.getByLabel("User name").fill("corp");
      await page.getByLabel("Password").fill(passwords.corp as string);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL((u) => !u.pathname.startsWith("/login"), { timeout: 30_000 });
      expect(new URL(page.url()).origin, next).toBe(base);
      expect(new URL(page.url()).pathname, next).toBe("/");
    }
  });

  it("after 10 wrong passwords a user name is locked for 15 minutes, even for the right password", async () => {
    const login = (password: string) =>
      fetch(`${base}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "target", password }),
      });
    for (let i = 0; i < 10; i++) expect((await login(`guess-${i}`)).status).toBe(401);
    const res = await login(passwords.target as string);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
    const audit = await prismaFor(databaseUrl).auditLog.count({ where: { action: "auth.sign-in", subject: "target", result: "throttled" } });
    expect(audit).toBe(1);
  });
});

describe("API contract", () => {
  it("responses validate against the OpenAPI document's schemas", async () => {
    const doc = (await (await fetch(`${base}/api/v1/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, { content: { "application/json": { schema: object } } }> }>>;
      components: { schemas: { Error: object } };
    };
    expect(doc.openapi).toBe("3.1.0");
    const ajv = new Ajv2020({ strict: false });
    const cookie = await cookieFor("admin");
    const check = async (path: string, url: string, status: number) => {
      const res = await fetch(`${base}${url}`, { headers: { cookie } });
      expect(res.status, url).toBe(status);
      const schema = status === 200 ? doc.paths[path]?.get?.responses["200"]?.content["application/json"].schema : doc.components.schemas.Error;
      expect(schema, path).toBeDefined();
      const validate = ajv.compile(schema as object);
      const body = await res.json();
      expect(validate(body), `${url}: ${JSON.stringify(validate.errors)}`).toBe(true);
      return body;
    };
    await check("/api/v1/me", "/api/v1/me", 200);
    await check("/api/v1/sites", "/api/v1/sites", 200);
    const oee = (await check("/api/v1/oee/sites", `/api/v1/oee/sites?from=${Date.now() - 9 * DAY}&to=${Date.now()}&last=7`, 200)) as {
      sites: { series: unknown[] }[];
    };
    expect(oee.sites.some((s) => s.series.length === 7)).toBe(true);
    await check("/api/v1/ingest/status", "/api/v1/ingest/status", 200);
    await check("/api/v1/oee/sites", "/api/v1/oee/sites?from=x&to=y", 400);
    // every operation documents its errors with the shared Error schema
    for (const [p, ops] of Object.entries(doc.paths)) for (const op of Object.values(ops)) expect(Object.keys(op.responses), p).toContain("200");
  });
});

describe("admin: asset model and API tokens", () => {
  it("an admin changes a machine's ideal cycle time and gets a clear error for a bad bearing geometry; both audited or refused", {
    timeout: 90_000,
  }, async () => {
    const page = await (await browserAs("admin")).newPage();
    await page.goto(`${base}/admin/assets`);
    const row = page.getByTestId(`machine-${ent}/dresden/machining/line-2/cnc-02`);
    await row.getByRole("button", { name: "edit" }).click();
    const form = page.locator("form.machine-form");
    await form.getByLabel("Ideal cycle time (s)").fill("37.5");
    await form.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => row.getByTestId("cycle").textContent(), { timeout: 15_000 }).toBe("37.5");
    const prisma = prismaFor(databaseUrl);
    const m = await prisma.machine.findFirstOrThrow({
      where: { slug: "cnc-02", line: { slug: "line-2", area: { site: { slug: "dresden", enterprise: { slug: ent } } } } },
    });
    expect(m.idealCycleTimeS).toBe(37.5);
    const audit = await prisma.auditLog.findFirstOrThrow({ where: { action: "asset.machine.update", subject: `${ent}/dresden/machining/line-2/cnc-02` } });
    expect(audit.actor).toBe("admin");
    expect((audit.details as { idealCycleTimeS: { to: number } }).idealCycleTimeS.to).toBe(37.5);
    // a ball larger than the pitch circle is refused with the field named
    await row.getByRole("button", { name: "edit" }).click();
    await form.getByLabel("Rolling elements").fill("9");
    await form.getByLabel("Ball Ø (mm)").fill("50");
    await form.getByLabel("Pitch Ø (mm)").fill("40");
    await form.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => form.getByRole("alert").textContent()).toContain("ball diameter must be smaller than the pitch diameter");
    expect((await prisma.machine.findUniqueOrThrow({ where: { id: m.id } })).bearingRollingElements).toBe(m.bearingRollingElements);
  });

  it("an admin edits a shift calendar: a bad break is refused with the reason, a good change is stored and audited", { timeout: 60_000 }, async () => {
    const page = await (await browserAs("admin")).newPage();
    await page.goto(`${base}/admin/assets`);
    const block = page.getByTestId(`assets-${ent}/monterrey`).getByTestId("calendar-2-shift Mon-Sat");
    await block.getByRole("button", { name: "edit shifts" }).click();
    const form = page.getByRole("form", { name: "shifts of calendar 2-shift Mon-Sat" });
    await form.getByLabel("shift 2 breaks").fill("120+15, 470+30");
    await form.getByRole("button", { name: "Save shifts" }).click();
    await expect.poll(() => form.getByRole("alert").textContent()).toContain("the break ends after the shift (15:00-23:00 is 480 min)");
    await form.getByLabel("shift 2 end").fill("23:30");
    await form.getByRole("button", { name: "Save shifts" }).click();
    await expect.poll(() => page.getByTestId(`assets-${ent}/monterrey`).getByTestId("calendar-2-shift Mon-Sat").textContent()).toContain("second 15:00–23:30");
    const prisma = prismaFor(databaseUrl);
    const second = await prisma.shift.findFirstOrThrow({
      where: { name: "second", calendar: { name: "2-shift Mon-Sat", site: { slug: "monterrey", enterprise: { slug: ent } } } },
      include: { breaks: true },
    });
    expect(second.endLocal).toBe("23:30");
    expect(second.breaks.map((b) => [b.startOffsetMin, b.durationMin]).sort((a, b) => a[0]! - b[0]!)).toEqual([
      [120, 15],
      [470, 30],
    ]);
    expect(await prisma.auditLog.count({ where: { action: "asset.calendar.shifts", subject: `${ent}/monterrey/2-shift Mon-Sat` } })).toBe(1);
    await page.screenshot({ path: join(repoRoot, ".andon", "e2e-assets.png"), fullPage: false });
  });

  it("an admin adds a site, an area and a line (a bad slug and time zone explained), grants it to a user, and sees it without data", {
    timeout: 90_000,
  }, async () => {
    const page = await (await browserAs("admin")).newPage();
    await page.goto(`${base}/admin/assets`);
    const form = page.getByRole("form", { name: "New site" });
    await form.getByLabel("Enterprise").selectOption(ent);
    await form.getByLabel("Site slug").fill("Lyon/1");
    await form.getByLabel("Site name").fill("Lyon");
    await form.getByLabel("Time zone").fill("Europe/Lyon");
    await form.getByRole("button", { name: "Add site" }).click();
    await expect.poll(() => form.getByTestId("error-slug").textContent()).toContain("it becomes an MQTT topic level");
    expect(await form.getByTestId("error-timeZone").textContent()).toContain("must be an IANA time zone");
    const prisma = prismaFor(databaseUrl);
    expect(await prisma.site.count({ where: { slug: { startsWith: "lyon" } } })).toBe(0);
    await form.getByLabel("Site slug").fill("lyon");
    await form.getByLabel("Time zone").fill("Europe/Paris");
    await form.getByRole("button", { name: "Add site" }).click();
    const card = page.getByTestId(`assets-${ent}/lyon`);
    await expect.poll(() => card.count(), { timeout: 15_000 }).toBe(1);
    expect(await card.locator("h2").textContent()).toContain("Europe/Paris");
    await card.getByRole("button", { name: "+ add an area" }).click();
    const areaForm = page.getByRole("form", { name: `new area in ${ent}/lyon` });
    await areaForm.getByLabel("Area slug").fill("assembly");
    await areaForm.getByLabel("Area name").fill("Assembly");
    await areaForm.getByRole("button", { name: "Add area" }).click();
    await expect.poll(() => card.getByTestId(`areas-${ent}/lyon`).textContent(), { timeout: 15_000 }).toContain("Assembly");
    await card.getByRole("button", { name: "+ add a line" }).click();
    const lineForm = page.getByRole("form", { name: `new line in ${ent}/lyon` });
    await lineForm.getByLabel("Line slug").fill("line-1");
    await lineForm.getByLabel("Line name").fill("Final assembly 1");
    await lineForm.getByRole("button", { name: "Add line" }).click();
    await expect.poll(() => card.textContent(), { timeout: 15_000 }).toContain(`${ent}/lyon/assembly/line-1`);
    await card.getByRole("button", { name: `rename site ${ent}/lyon` }).click();
    await card.getByLabel("New name").fill("Lyon plant");
    await card.getByRole("button", { name: "Save name" }).click();
    await expect.poll(() => card.locator("h2").textContent(), { timeout: 15_000 }).toContain("Lyon plant");
    const audit = await prisma.auditLog.findMany({ where: { subject: { startsWith: `${ent}/lyon` } }, orderBy: { at: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(["asset.site.create", "asset.area.create", "asset.line.create", "asset.site.rename"]);
    // a plant manager can be given the new site, and the overview shows it honestly without data
    // (shown at once: the admin's POST made the server forget its cached site list)
    await expect
      .poll(
        async () => {
          await page.goto(`${base}/admin/users`);
          return page.getByRole("form", { name: "New user" }).getByLabel("Lyon plant").count();
        },
        { timeout: 30_000, interval: 2000 },
      )
      .toBe(1);
    await expect
      .poll(
        async () => {
          await page.goto(`${base}/?period=7d`);
          return page.getByTestId("site-lyon").count();
        },
        { timeout: 30_000, interval: 2000 },
      )
      .toBe(1);
    expect(await page.getByTestId("site-lyon").getByTestId("no-data").textContent()).toContain("no data");
    // its plant page is an empty board that says why, not a 404
    const res = await page.goto(`${base}/sites/${ent}/lyon`);
    expect(res?.status()).toBe(200);
    expect(await page.getByTestId("no-machines").textContent()).toContain("No machines on this site yet");
    const api = await page.request.get(`${base}/api/v1/sites/${ent}/lyon/shift`);
    expect(api.status()).toBe(200);
    expect(((await api.json()) as { machines: unknown[] }).machines).toEqual([]);

    // a second site made by mistake is removed again (only an empty one can be); a non-empty one is refused
    await page.goto(`${base}/admin/assets`);
    await form.getByLabel("Site slug").fill("lyom");
    await form.getByLabel("Site name").fill("Lyom (typo)");
    await form.getByLabel("Time zone").fill("Europe/Paris");
    await form.getByRole("button", { name: "Add site" }).click();
    const typo = page.getByTestId(`assets-${ent}/lyom`);
    await expect.poll(() => typo.count(), { timeout: 15_000 }).toBe(1);
    expect(
      await page
        .getByTestId(`assets-${ent}/lyon`)
        .getByRole("button", { name: `remove site ${ent}/lyon` })
        .count(),
    ).toBe(0);
    await typo.getByRole("button", { name: `remove site ${ent}/lyom` }).click();
    await typo.getByRole("button", { name: "Yes, remove" }).click();
    await expect.poll(() => typo.count(), { timeout: 15_000 }).toBe(0);
    expect(await prisma.site.count({ where: { slug: "lyom", enterprise: { slug: ent } } })).toBe(0);
    expect(await prisma.auditLog.count({ where: { action: "asset.site.remove", subject: `${ent}/lyom` } })).toBe(1);
    const lyon = await prisma.site.findFirstOrThrow({ where: { slug: "lyon", enterprise: { slug: ent } } });
    const refused = await fetch(`${base}/api/v1/admin/sites/${lyon.id}/remove`, {
      method: "POST",
      headers: { cookie: await cookieFor("admin"), origin: base },
    });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain("only an empty site can be removed");
  });

  it("an admin saves a new loss-mapping version: bad rules are explained per field, the good one is stored, assigned and diffed", {
    timeout: 90_000,
  }, async () => {
    const page = await (await browserAs("admin")).newPage();
    await page.goto(`${base}/admin/loss-mappings`);
    const block = page.getByTestId(`mappings-${ent}`).getByTestId("mapping-default");
    // the access matrix saved v2 (a copy of v1)
    await block.getByRole("button", { name: "New version from default@v2" }).click();
    const form = page.getByRole("form", { name: "new version of default" });
    await form.getByLabel("Micro-stop threshold (s)").fill("-5");
    await form.getByLabel("rule 1 category").fill("15000");
    await form.getByRole("button", { name: "Save default@v3" }).click();
    await expect.poll(() => form.getByTestId("error-microStopThresholdS").textContent()).toContain("must not be negative");
    expect(await form.getByTestId("error-rules.0.category").textContent()).toContain("a category is a positive multiple of 10000");
    // the same checks on the server: a duplicate rule sent to the API is refused with the field named
    const cookie = await cookieFor("admin");
    const dup = await fetch(`${base}/api/v1/admin/loss-mappings`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json", origin: base },
      body: JSON.stringify({
        enterprise: ent,
        name: "default",
        basedOnVersion: 2,
        microStopThresholdS: 120,
        startupWindowS: 0,
        rules: [...mappingV1.rules, { category: 180000, loss: "UNPLANNED_STOP" }],
      }),
    });
    expect(dup.status).toBe(400);
    expect(((await dup.json()) as { error: { message: string } }).error.message).toContain("duplicate rule for the same state/code/category/reason");
    await form.getByLabel("Micro-stop threshold (s)").fill("90");
    await form.getByLabel("rule 1 category").fill("10000");
    await form.getByRole("button", { name: "+ add a rule" }).click();
    const n = await form.locator("table.rules tbody tr").count();
    await form.getByLabel(`rule ${n} state`).selectOption("idle");
    await form.getByLabel(`rule ${n} loss`).selectOption("PLANNED_STOP");
    expect(await form.getByTestId("diff").textContent()).toContain("+ state idle → PLANNED_STOP");
    // only one machine moves to the new version
    const picks = form.getByTestId("machine-picks").locator("input[type=checkbox]");
    for (let i = 0; i < (await picks.count()); i++) await picks.nth(i).uncheck();
    await form.getByLabel(`assign ${ent}/monterrey/stamping/press-1/press-01`).check();
    await page.screenshot({ path: join(repoRoot, ".andon", "e2e-loss-mapping-edit.png"), fullPage: true });
    await form.getByRole("button", { name: "Save default@v3" }).click();
    await expect.poll(() => block.getByRole("status").textContent(), { timeout: 15_000 }).toContain("Saved default@v3");
    expect(await block.getByRole("status").textContent()).toContain("applies to OEE buckets computed from now on");
    // the saved version is the one shown, with what changed
    await expect.poll(() => block.getByTestId("rules-default@v3").count()).toBe(1);
    expect(await block.getByTestId("rules-default@v3").getByTestId("diff").textContent()).toContain("micro-stop threshold: 120 s → 90 s");
    await page.screenshot({ path: join(repoRoot, ".andon", "e2e-loss-mappings.png"), fullPage: false });
    const prisma = prismaFor(databaseUrl);
    const v3 = await prisma.lossMapping.findFirstOrThrow({
      where: { name: "default", version: 3, enterprise: { slug: ent } },
      include: { rules: true, machines: true },
    });
    expect(v3.microStopThresholdS).toBe(90);
    expect(v3.rules.some((r) => r.state === "idle" && r.loss === "PLANNED_STOP")).toBe(true);
    expect(v3.machines.map((m) => m.slug)).toEqual(["press-01"]);
    expect(await prisma.auditLog.count({ where: { action: "asset.loss-mapping.create", subject: `${ent}/default@v3`, actor: "admin" } })).toBe(1);

    // a new named mapping from the same editor: it needs a name, starts at v1 with no machine picked
    await block.getByRole("button", { name: "New version from default@v3" }).click();
    const again = page.getByRole("form", { name: "new version of default" });
    await again.getByLabel("Save as a new mapping").check();
    expect(await again.getByTestId("machine-picks").locator("input:checked").count()).toBe(0);
    await again.getByRole("button", { name: "Save …@v1" }).click();
    await expect.poll(() => again.getByTestId("error-name").textContent()).toContain("Give the new mapping a name");
    await again.getByLabel("New mapping name").fill("press lines");
    await again.getByLabel(`assign ${ent}/monterrey/stamping/press-1/press-02`).check();
    await again.getByRole("button", { name: "Save press lines@v1" }).click();
    await expect.poll(() => page.getByTestId(`mappings-${ent}`).getByTestId("mapping-press lines").count(), { timeout: 15_000 }).toBe(1);
    const named = await prisma.lossMapping.findFirstOrThrow({ where: { name: "press lines", enterprise: { slug: ent } }, include: { machines: true } });
    expect([named.version, named.isDefault, named.machines.map((m) => m.slug)]).toEqual([1, false, ["press-02"]]);
  });

  it("a draft made stale by another admin's save is not lost: the form moves to the newest version and saves on it", { timeout: 60_000 }, async () => {
    const page = await (await browserAs("admin")).newPage();
    await page.goto(`${base}/admin/loss-mappings`);
    const block = page.getByTestId(`mappings-${ent}`).getByTestId("mapping-default");
    await block.getByRole("button", { name: "New version from default@v3" }).click();
    const form = page.getByRole("form", { name: "new version of default" });
    await form.getByLabel("Micro-stop threshold (s)").fill("45");
    // meanwhile another admin saves v4
    const other = await fetch(`${base}/api/v1/admin/loss-mappings`, {
      method: "POST",
      headers: { cookie: await cookieFor("admin"), "content-type": "application/json", origin: base },
      body: JSON.stringify({ enterprise: ent, name: "default", basedOnVersion: 3, microStopThresholdS: 100, startupWindowS: 0, rules: mappingV1.rules }),
    });
    expect(other.status).toBe(200);
    await form.getByRole("button", { name: "Save default@v4" }).click();
    await expect.poll(() => form.getByTestId("mapping-error").textContent()).toContain("The form now starts from the newest version with your rules kept");
    expect(await form.getByLabel("Micro-stop threshold (s)").inputValue()).toBe("45");
    await form.getByRole("button", { name: "Save default@v5" }).click();
    await expect.poll(() => block.getByRole("status").textContent(), { timeout: 15_000 }).toContain("Saved default@v5");
    const v5 = await prismaFor(databaseUrl).lossMapping.findFirstOrThrow({ where: { name: "default", version: 5, enterprise: { slug: ent } } });
    expect(v5.microStopThresholdS).toBe(45);
  });

  it("an admin creates an API token in the browser; it works once shown, and not after it is revoked", { timeout: 60_000 }, async () => {
    const page = await (await browserAs("admin")).newPage();
    await page.goto(`${base}/admin/tokens`);
    await page.getByLabel("Token name").fill("bi-pune");
    await page.getByLabel("Token role").selectOption("MAINTENANCE");
    await page.getByLabel("Token scope").selectOption("READ_ONLY");
    await page.getByLabel("Token expires in days").fill("30");
    await page.locator("fieldset.sites-pick label", { hasText: "Pune" }).locator("input").check();
    await page.getByRole("button", { name: "Create token" }).click();
    const token = (await page.getByTestId("new-token").locator("code").first().textContent()) ?? "";
    expect(token).toMatch(/^andon_/);
    await expect.poll(() => page.getByTestId("token-bi-pune").textContent()).toContain("read only");
    const listed = (await (await fetch(`${base}/api/v1/admin/tokens`, { headers: { cookie: await cookieFor("admin") } })).json()) as {
      tokens: { name: string; scope: string; createdAt: string; expiresAt: string | null }[];
    };
    const made = listed.tokens.find((t) => t.name === "bi-pune");
    expect(made?.scope).toBe("READ_ONLY");
    // 30 days after it was made (the two instants come from the database and the server, a moment apart)
    expect(Math.abs(Date.parse(made?.expiresAt ?? "") - Date.parse(made?.createdAt ?? "") - 30 * DAY)).toBeLessThan(60_000);
    const call = (path: string) => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect((await call(`/api/v1/sites/${ent}/pune/shift`)).status).toBe(200);
    expect((await call(`/api/v1/sites/${ent}/dresden/shift`)).status).toBe(403);
    // maintenance may acknowledge Pune's alerts, but this token is read-only
    const ack = await fetch(`${base}/api/v1/alerts/${alertIds.inbox}/acknowledge`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
    expect(ack.status).toBe(403);
    expect(((await ack.json()) as { error: { message: string } }).error.message).toContain("read-only token");
    await page.getByTestId("token-bi-pune").getByRole("button", { name: "revoke" }).click();
    await expect.poll(() => page.getByTestId("token-bi-pune").textContent()).toContain("revoked");
    await page.screenshot({ path: join(repoRoot, ".andon", "e2e-tokens.png"), fullPage: true });
    expect((await call(`/api/v1/sites/${ent}/pune/shift`)).status).toBe(401);
  });

  it("an admin maps a Sparkplug B metric in the browser: a bad field is explained, a good mapping is listed, then removed", { timeout: 60_000 }, async () => {
    const page = await (await browserAs("admin")).newPage();
    await page.goto(`${base}/admin/sparkplug`);
    await page.getByLabel("Group").fill("e2e-ui");
    await page.getByLabel("Edge node").fill("gw9");
    await page.getByLabel("Metric").fill("Oil Temp");
    await page.getByLabel("Machine").selectOption(dresdenMachine());
    await page.getByLabel("Channel").selectOption("counts");
    await page.getByLabel("Field").fill("sideways");
    await page.getByRole("button", { name: "Save mapping" }).click();
    await expect.poll(() => page.locator("body").textContent()).toContain("a counts mapping's field is total or reject");
    await page.getByLabel("Channel").selectOption("metrics");
    await page.getByLabel("Field").fill("oil_temp_c");
    await page.getByRole("button", { name: "Save mapping" }).click();
    const row = page.getByTestId("sparkplug-e2e-ui-gw9--Oil Temp");
    await expect.poll(() => row.textContent()).toContain("oil_temp_c");
    expect(await row.textContent()).toContain(dresdenMachine());
    await page.screenshot({ path: join(repoRoot, ".andon", "e2e-sparkplug.png"), fullPage: true });
    await row.getByRole("button", { name: "remove" }).click();
    await expect.poll(() => row.count()).toBe(0);
  });

  it("an admin reads the audit log: filtered by who and by kind of action, a page at a time, newest first", { timeout: 60_000 }, async () => {
    // 130 entries of one actor, a minute apart, half of them commands
    const t0 = Date.parse("2026-11-02T08:00:00Z");
    await prismaFor(databaseUrl).auditLog.createMany({
      data: Array.from({ length: 130 }, (_, i) => ({
        at: new Date(t0 + i * 60_000),
        actor: "auditor.e2e",
        action: i % 2 ? "command.requested" : "downtime.reason.assign",
        subject: `${ent}/dresden/machining/line-1/cnc-01`,
        siteSlug: "dresden",
        result: "ok",
        details: { n: i },
      })),
    });
    const page = await (await browserAs("admin")).newPage();
    await page.goto(`${base}/admin/users`);
    await page.getByRole("link", { name: "Audit log" }).first().click();
    await page.waitForURL(/\/admin\/audit$/);
    await page.getByTestId("audit-filters").locator("select[name=actor]").selectOption("auditor.e2e");
    await page.getByRole("button", { name: "Show" }).click();
    await page.waitForURL(/actor=auditor.e2e/);
    const rows = () => page.getByTestId("audit").locator("tbody tr");
    expect(await rows().count()).toBe(100);
    const details = async () => (await rows().locator("td:last-child").allTextContents()).map((t) => Number(/n: (\d+)/.exec(t)?.[1]));
    expect(await details()).toEqual(Array.from({ length: 100 }, (_, i) => 129 - i)); // newest first
    await page.getByTestId("audit-older").click();
    await expect.poll(async () => (await details()).join(",")).toBe(Array.from({ length: 30 }, (_, i) => 29 - i).join(","));
    expect(await page.getByTestId("audit-older").count()).toBe(0);
    // only the commands of that actor
    await page.goto(`${base}/admin/audit?actor=auditor.e2e&action=command.`);
    expect(await rows().count()).toBe(65);
    expect(new Set(await rows().locator("td:nth-child(4)").allTextContents())).toEqual(new Set(["command.requested"]));
    // not for a plant manager
    const pm = await (await browserAs("pm.dresden")).newPage();
    await pm.goto(`${base}/admin/audit`);
    expect(await pm.locator("main").textContent()).not.toContain("auditor.e2e");
  });
});

describe("commands from the dashboard", () => {
  let service: CommandService | undefined;
  let link: MachineCommandLink | undefined;
  afterAll(async () => {
    await link?.disconnect();
    await service?.stop();
  });

  it("a plant manager stops a machine from its page after confirming; the simulated machine obeys and the page shows completed", {
    timeout: 120_000,
  }, async () => {
    const prisma = prismaFor(databaseUrl);
    const cfg = stackConfig(stack, { DATABASE_URL: databaseUrl, COMMAND_CLIENT_ID: `andon-commands-${ent}`, COMMAND_TICK_MS: "250" });
    const info = (await loadMachines(prisma)).find((m) => `${m.enterprise}/${m.site}/${m.area}/${m.line}/${m.slug}` === dresdenMachine())!;
    const sim = new MachineSim(info, { seed: 1, waveformEvery: 0 });
    sim.tick(Date.now());
    // the machine subscribes first: the access matrix left commands queued for it, sent at the start
    link = new MachineCommandLink({ config: cfg, sim });
    await link.connect();
    service = await startCommandService({ config: cfg, prisma, log: createLogger("e2e-commands", "warn") });

    const page = await (await browserAs("pm.dresden")).newPage();
    await page.goto(`${base}/sites/${dresdenMachine()}`);
    const panel = page.getByTestId("command-panel");
    await panel.getByTestId("command-type").selectOption("stop");
    await panel.getByTestId("command-text").fill("e2e: guard door open");
    const rows = await prisma.command.count({ where: { machineKey: dresdenMachine() } });
    await panel.getByTestId("command-send").click();
    // hazardous: nothing is sent before the second, explicit confirmation
    await expect.poll(() => panel.getByRole("alertdialog").textContent()).toContain("This moves or stops machinery");
    // what is confirmed is shown, and cannot be edited while the confirmation is open
    expect(await panel.getByTestId("confirm-params").textContent()).toContain("reason e2e: guard door open");
    expect(await panel.getByTestId("command-text").isDisabled()).toBe(true);
    expect(await prisma.command.count({ where: { machineKey: dresdenMachine() } })).toBe(rows);
    await panel.getByTestId("command-confirm").click();
    const first = panel.getByTestId("command-table").locator("tbody tr").first();
    await expect.poll(() => first.textContent(), { timeout: 30_000 }).toContain("stop");
    await expect.poll(() => first.getByTestId("command-status").textContent(), { timeout: 30_000 }).toBe("completed");
    expect(sim.state).toBe("stopped");
    expect(await first.textContent()).toContain("reason=e2e: guard door open");
    await page.screenshot({ path: join(repoRoot, ".andon", "e2e-commands.png"), fullPage: true });
  });

  it("a technician prepares an inspection request from an alert in one click", { timeout: 60_000 }, async () => {
    const page = await (await browserAs("tech.pune")).newPage();
    await page.goto(`${base}/alerts`);
    await page.getByTestId("alert-drift:kurtosis").getByTestId("prepare-inspection").click();
    await page.waitForURL(/command=request_inspection/);
    const panel = page.getByTestId("command-panel");
    expect(await panel.getByTestId("command-type").inputValue()).toBe("request_inspection");
    expect(await panel.getByTestId("command-text").inputValue()).toContain("inspect the drive-end bearing");
    await panel.getByTestId("command-send").click();
    const first = panel.getByTestId("command-table").locator("tbody tr").first();
    await expect.poll(() => first.textContent(), { timeout: 30_000 }).toContain("request inspection");
    const c = await prismaFor(databaseUrl).command.findFirst({ where: { machineKey: puneMachine(), type: "request_inspection" }, orderBy: { seq: "desc" } });
    expect(c?.alertId).toBe(alertIds.pune);
    expect(c?.requestedBy).toBe("tech.pune");
  });

  it("a corporate user sees the command history but cannot send", async () => {
    const page = await (await browserAs("corp")).newPage();
    await page.goto(`${base}/sites/${ent}/dresden/commands`);
    await expect.poll(() => page.getByTestId("command-table").textContent()).toContain("guard door open");
    await page.screenshot({ path: join(repoRoot, ".andon", "e2e-site-commands.png"), fullPage: true });
    await page.goto(`${base}/sites/${dresdenMachine()}`);
    await expect.poll(() => page.getByTestId("command-panel").textContent()).toContain("Your role cannot send commands");
  });
});

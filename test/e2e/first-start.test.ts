// A newcomer's first start: `andon up` on an empty stack (its own home, database and services, as
// `npm start` on a fresh clone) fills the default week of history, and the first admin, signed in with
// the password it printed, finds figures on every page: the sites at 1 h / 24 h / shifts / 7 d / 30 d
// with MTBF and MTTR, the plant board with its losses and reasons, a machine's timeline, the shift
// report, the history's commands and the audit log of its people, the alert of the degrading pump, the
// ingest page's roll-up up to date. It prints how long after the start each page had them, and takes
// the README's screenshots from what it sees (.andon/screenshots; ANDON_SCREENSHOTS=docs writes
// docs/screenshots). Then `andon demo reset` starts the plant over.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { questPool } from "#lib/adapters/questdb/pg.ts";
import { ensureWebBuild } from "#lib/features/stack/web.ts";
import { config, readEnvFile, repoRoot } from "#lib/platform/config.ts";
import { adminPassword, makeStack, removeStack, type Stack, stop, up } from "../support/andon-up.ts";
import { launchBrowser, signIn } from "../support/browser.ts";

const SHOTS = process.env.ANDON_SCREENSHOTS === "docs" ? join(repoRoot, "docs", "screenshots") : join(repoRoot, ".andon", "screenshots");
let stack: Stack | undefined;

beforeAll(async () => {
  await ensureWebBuild(join(config().ANDON_HOME, "first-start-web-build.log"));
  mkdirSync(SHOTS, { recursive: true });
  stack = await makeStack("first-start", config().SIM_HISTORY_DAYS);
}, 600_000);

afterAll(async () => {
  if (stack) await removeStack(stack);
}, 120_000);

describe("first start", () => {
  it("fills a week of history; the first admin finds figures on every page; demo reset starts it over", { timeout: 1_200_000 }, async () => {
    const s = stack as Stack;
    await up(s);
    const runningS = Math.round((Date.now() - (s.startedAt as number)) / 1000);
    expect(s.out).toMatch(/history: \d+ messages in \d+ s/);
    const base = `http://127.0.0.1:${s.env.WEB_PORT}`;
    const browser = await launchBrowser();
    const seen: [string, number][] = [];
    try {
      await signIn(browser, base, "admin", adminPassword(s) as string);
      const page = await browser.newPage();
      const main = async (p: Page) => (await p.locator("main").textContent()) ?? "";
      /** Opens the page until `has` holds for its text, notes when, and takes its screenshot. */
      const visit = async (name: string, path: string, has: (text: string) => boolean, timeout = 240_000) => {
        let last = "";
        try {
          await expect
            .poll(
              async () => {
                await page.goto(`${base}${path}`);
                last = await main(page);
                return has(last);
              },
              { timeout, interval: 5000 },
            )
            .toBe(true);
        } catch (e) {
          // say what the page showed: a time-of-day case this test has not met before is otherwise invisible
          throw new Error(`${name} (${path}) never showed what it needs within ${timeout / 1000} s; it showed: ${last.slice(0, 2000)}`, { cause: e });
        }
        seen.push([name, Math.round((Date.now() - (s.startedAt as number)) / 1000)]);
        await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
        return main(page);
      };
      // every site has figures (or honestly no planned time at this hour: on a Sunday morning UTC no site
      // of the demo plant has a shift in the last hour), none "nothing computed"
      const noneToPlan = (t: string) => (t.match(/no planned time in this period/g)?.length ?? 0) === Number(/(\d+) sites? visible/.exec(t)?.[1] ?? Number.NaN);
      const sitesFull = (t: string) =>
        /Dresden[\s\S]*Monterrey|Monterrey[\s\S]*Dresden/.test(t) &&
        (/\d+\.\d %/.test(t) || noneToPlan(t)) &&
        !/No OEE computed|no data: nothing computed/.test(t);
      await visit("sites-last-hour", "/?period=1h", sitesFull);
      await visit("sites-24-hours", "/?period=24h", sitesFull);
      await visit("sites-shifts", "/?period=shifts", sitesFull);
      // the whole week computed: each site's last 7 local days (the catch-up of days runs after the minutes)
      const api = async (path: string) => (await page.request.get(`${base}${path}`)).json();
      await expect
        .poll(
          async () => {
            const r = (await api(`/api/v1/oee/sites?granularity=day&from=${Date.now() - 9 * 86_400_000}&to=${Date.now()}&last=7`)) as {
              sites: { series: unknown[] }[];
            };
            return r.sites.map((x) => x.series.length);
          },
          { timeout: 300_000, interval: 5000 },
        )
        .toEqual([7, 7, 7]);
      const week = await visit("sites-7-days", "/?period=7d", sitesFull);
      // a week of breakdowns: MTBF and MTTR of every site
      expect(week.match(/MTBF \d+(\.\d+)? h/g)?.length).toBe(3);
      expect(week.match(/MTTR \d+ min/g)?.length).toBe(3);
      await visit("sites-30-days", "/?period=30d", sitesFull);
      const board = await visit("plant", "/sites/acme/monterrey", (t) => /OEE \d+\.\d %/.test(t));
      expect(board).toMatch(/Top downtime reasons/);
      // the six-big-losses chart draws after the first paint (recharts measures its box first; a CI run under
      // load read the page before it had): wait on the same page, not a reload, for its bars
      await expect.poll(() => main(page), { timeout: 30_000, interval: 500 }).toMatch(/Breakdowns/);
      expect(await page.getByTestId("reasons").locator("tr").count()).toBeGreaterThan(1);
      await visit("machine", "/sites/acme/monterrey/stamping/press-1/pump-01", (t) => t.includes("State timeline") && !t.includes("no data"));
      const report = await visit("shift-report", "/sites/acme/monterrey/report", (t) => /\d+\.\d %OEE/.test(t));
      expect(report).not.toContain("No stops in this period.");
      // what the history's people did: commands with the machines' answers, reasons given afterwards, in the audit log
      const commands = await visit("commands", "/sites/acme/monterrey/commands", (t) => /request inspection/.test(t) && /rejected/.test(t));
      expect(commands).toContain("bearing failure: the bearing must be replaced");
      const audit = await visit("audit", "/admin/audit?actor=demo.plant-manager", (t) => t.includes("downtime.reason.assign"));
      expect(audit).toContain("command.requested");
      // the bearing that degraded over the history (Monterrey's coolant pump): its alerts, raised by the
      // PdM scan of the history, closed since (it was replaced); and the live demo's accelerated
      // degradation (Dresden's pump, SIM_DEMO_DEGRADE): an open alert in the inbox
      const alertsOf = async (q: string) => ((await api(`/api/v1/alerts?${q}`)) as { alerts: { machineKey: string }[] }).alerts.map((a) => a.machineKey);
      await expect
        .poll(() => alertsOf("site=acme/monterrey&status=OPEN,ACKNOWLEDGED,RESOLVED,CLEARED"), { timeout: 420_000, interval: 5000 })
        .toContain("acme/monterrey/stamping/press-1/pump-01");
      seen.push(["history-alert", Math.round((Date.now() - (s.startedAt as number)) / 1000)]);
      // the live demo's pump: Dresden's, or when Dresden has no shift the same pump of a line that has one
      // (the seeded plant always has one: Pune's filling line 2 works seven days a week; unit/demo-degrade)
      const demo = /demo: (\S+)'s bearing degrades/.exec(s.out)?.[1];
      expect(demo, "andon up names the live demo's degrading machine").toBeDefined();
      const [, , area, line, machine] = (demo as string).split("/");
      await visit("alerts", "/alerts", (t) => t.includes(`${area} / ${line} / ${machine}`), 600_000);
      // the present continues the past: the simulator published from the history's end to the clock
      // before going live, so each minute around the hand-over has counts of every machine that had
      // them before it (before, the minutes between the history's end and the simulator's start had none)
      const to = Date.parse((JSON.parse(readFileSync(join(s.home, "history.json"), "utf8")) as { to: string }).to);
      const quest = questPool(s.env.QUESTDB_PG_URL as string, readEnvFile(join(s.home, "andon.env")).QUESTDB_PG_PASSWORD);
      try {
        const perMinute = async () => {
          const { rows } = await quest.query<{ ts: Date; machines: string }>(
            "SELECT ts, count_distinct(concat(site, '/', area, '/', line, '/', machine)) machines FROM telemetry_counts WHERE ts >= $1 AND ts < $2 SAMPLE BY 1m ALIGN TO CALENDAR",
            [new Date(to - 3 * 60_000), new Date(to + 3 * 60_000)],
          );
          return rows.map((r) => [new Date(r.ts).toISOString().slice(11, 16), Number(r.machines)] as const);
        };
        // the three minutes after the history's end are over and stored (they are long before this point of the test)
        await expect.poll(async () => (await perMinute()).length, { timeout: 300_000, interval: 5000 }).toBe(6);
        const minutes = await perMinute();
        console.log(
          `first start: machines with counts per minute around the history's end (${new Date(to).toISOString().slice(11, 16)}): ${JSON.stringify(minutes)}`,
        );
        expect(new Set(minutes.map(([, n]) => n)).size).toBe(1);
      } finally {
        await quest.end();
      }
      await visit("ingest", "/ingest", (t) => /OEE roll-up[\s\S]*up to date/.test(t), 300_000);
      console.log(
        `first start: running after ${runningS} s (${/history: \d+ messages in \d+ s/.exec(s.out)?.[0]}); figures on each page after (s): ${seen.map(([n, t]) => `${n}=${t}`).join(" ")}`,
      );
    } finally {
      await browser.close();
    }
    expect(await stop(s)).toBe(0);

    // andon demo reset: refused without --yes (nothing deleted); with it, the plant's data goes and the
    // start fills a fresh week, with the history's people once (not twice)
    const prisma = prismaFor(s.env.DATABASE_URL as string);
    const before = { commands: await prisma.command.count(), edits: await prisma.reasonEdit.count() };
    expect(before.edits).toBeGreaterThan(0);
    const { QUESTDB_PG_PASSWORD: _p, QUESTDB_HTTP_URL: _h, ...parent } = process.env;
    const refused = spawnSync(process.execPath, [join(repoRoot, "scripts", "andon.mjs"), "demo", "reset"], { env: { ...parent, ...s.env }, encoding: "utf8" });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("andon demo reset --yes");
    expect(await prisma.command.count()).toBe(before.commands);
    s.out = "";
    await up(s, ["demo", "reset", "--yes"]);
    expect(s.out).toMatch(/demo reset: QuestDB tables emptied/);
    expect(s.out).toContain(`PostgreSQL ${before.commands} commands`);
    expect(s.out).toMatch(/history: \d+ messages in \d+ s/);
    expect(await prisma.command.count()).toBe(before.commands);
    expect(await prisma.auditLog.count({ where: { action: "demo.reset" } })).toBe(1);
    expect(await stop(s)).toBe(0);
    console.log(`demo reset: ${/history: \d+ messages in \d+ s/.exec(s.out)?.[0]}`);
  });
});

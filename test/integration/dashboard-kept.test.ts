// What the dashboard keeps between requests, on a real QuestDB, against the same figures computed
// from scratch at every step: the overview's site figures (lib/features/dashboard/overview-cache.ts)
// after new days, recomputed days, rows moving out of the period and other options; the plant
// board's minute sums (lib/features/dashboard/plant-sums.ts) after new minutes, minutes recomputed
// inside and before the tail, a full read after FULL_MS and a new window. Figures are multiples of
// 1/8, so sums in any order are exact and compared as they are.
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, inject, it } from "vitest";
import { questExec } from "#lib/adapters/questdb/http.ts";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import { type Row, siteMinuteSums } from "#lib/adapters/questdb/read-oee.ts";
import { ensureQuestSchema } from "#lib/adapters/questdb/schema.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { figuresFromRows, overviewBytes, overviewJson, siteFigures } from "#lib/features/dashboard/oee-read.ts";
import { FULL_MS, keptMinuteSums, SLACK_MS } from "#lib/features/dashboard/plant-sums.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const env = inject("stack");
const ent = `dk${randomBytes(3).toString("hex")}`;
const pool = questPool(env.QUESTDB_PG_URL, env.QUESTDB_PG_PASSWORD, 4);
const DAY = 86_400_000;
const MIN = 60_000;
const D0 = Math.floor(Date.now() / DAY) * DAY - 40 * DAY;
// a name outside ASCII: the bytes kept are UTF-8
const sites = [0, 1].map((i) => ({ key: `${ent}/s${i}`, name: `Site ${i} Zürich`, timeZone: "UTC" }));

let serial = 0;
/** Figures of a row: multiples of 1/8 that differ with every write (a recompute gives other figures). */
function values(): string {
  serial += 1;
  const p = 3600 + serial / 8;
  return `${p}, ${p - 100}, ${serial / 4}, 10.5, 0.0, ${p - 300}, 2.25, ${p - 500}, ${p - 600}, 0.0, ${1000 + serial}L, ${serial % 7}L, 0L, ${990 + serial - (serial % 7)}L, 1L, '', now(), now(), 'default@v1'`;
}
const COLS =
  "calendar_s, planned_busy_s, breakdown_s, setup_s, other_stop_s, run_s, small_stop_s, net_run_s, fully_productive_s, data_gap_s, total, reject, startup_reject, good, failures, flags, computed_at, stored_at, mapping_version";
const ts = (ms: number) => `cast(${ms * 1000}L as timestamp)`;

async function days(list: { site: number; day: number }[]): Promise<void> {
  const rows = list.map(
    (r) =>
      `(${ts(D0 + r.day * DAY)}, ${ts(D0 + (r.day + 1) * DAY)}, 'day', 'site', '${ent}/s${r.site}', '${new Date(D0 + r.day * DAY).toISOString().slice(0, 10)}', ${values()})`,
  );
  await questExec(env.QUESTDB_HTTP_URL, `INSERT INTO ${TABLES.oeeRollup} (ts, bucket_end, granularity, level, key, label, ${COLS}) VALUES ${rows.join(", ")}`);
  await waitWalApplied(pool, [TABLES.oeeRollup]);
}

async function minutes(list: { at: number; machine: string }[]): Promise<void> {
  const rows = list.map((r) => `(${ts(r.at)}, ${ts(r.at + MIN)}, 'minute', '${ent}', 'plant', 'area', 'line', '${r.machine}', '', ${values()})`);
  await questExec(
    env.QUESTDB_HTTP_URL,
    `INSERT INTO ${TABLES.oeeMachine} (ts, bucket_end, granularity, enterprise, site, area, line, machine, label, ${COLS}) VALUES ${rows.join(", ")}`,
  );
  await waitWalApplied(pool, [TABLES.oeeMachine]);
}

afterAll(async () => {
  await pool.end();
});

describe("the dashboard's kept figures", () => {
  it("overview: each site's figures and JSON equal those computed from the rows at every step", { timeout: 120_000 }, async () => {
    await ensureQuestSchema(env.QUESTDB_HTTP_URL);
    await days(Array.from({ length: 20 }, (_, i) => ({ site: i % 2, day: Math.floor(i / 2) })));
    let to = D0 + 10 * DAY + 5 * MIN;
    const queries = () => [
      { granularity: "day" as const, from: to - 6 * DAY, to },
      { granularity: "day" as const, from: to - 6 * DAY, to, last: 3, elements: false },
      { granularity: "day" as const, from: to - 6 * DAY, to, days: { from: new Date(D0 + 7 * DAY).toISOString().slice(0, 10), to: "9999" } },
    ];
    const check = async () => {
      for (const q of queries()) {
        const kept = await siteFigures(pool, sites, q);
        const fresh = await figuresFromRows(pool, sites, q);
        expect(kept).toEqual(fresh);
        const v = { from: "a", to: "b", granularity: "day", sites: kept };
        expect(overviewJson(v)).toBe(JSON.stringify({ ...v, sites: fresh }));
        expect(new TextDecoder().decode(overviewBytes(v))).toBe(JSON.stringify({ ...v, sites: fresh }));
      }
    };
    await check();
    // asked again a minute later: the same rows
    to += MIN;
    await check();
    // a new day of one site, then a recomputed day of the other (same ts, other figures)
    await days([{ site: 0, day: 10 }]);
    await check();
    await days([{ site: 1, day: 7 }]);
    await check();
    // the period moves: the first days leave it, one by one
    for (let i = 0; i < 3; i++) {
      to += DAY;
      await check();
    }
    // a recompute of a site's first day in the period and of its last at once
    await days([
      { site: 0, day: 8 },
      { site: 0, day: 10 },
    ]);
    await check();
    // a site renamed: its figures carry the name of the site as asked
    const renamed = [{ ...(sites[0] as (typeof sites)[0]), name: "Renamed" }, sites[1] as (typeof sites)[0]];
    const q = queries()[0] as ReturnType<typeof queries>[0];
    expect((await siteFigures(pool, renamed, q))[0]?.name).toBe("Renamed");
    expect(await siteFigures(pool, renamed, q)).toEqual(await figuresFromRows(pool, renamed, q));
  });

  it("plant board: the kept minute sums equal a sum of everything at every refresh", { timeout: 120_000 }, async () => {
    await ensureQuestSchema(env.QUESTDB_HTTP_URL);
    const site = { enterprise: ent, site: "plant" };
    const from = Math.floor((Date.now() - 2 * DAY) / MIN) * MIN;
    const byMachine = (rows: Row[]) =>
      new Map(
        rows.map((r) => [
          String(r.machine),
          Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k === "machine" || k === "area" || k === "line" ? v : Number(v ?? 0)])),
        ]),
      );
    // the refreshes' clock: "now" is simulated, the rows' stored_at is the real time
    let now = from + 30 * MIN + 10_000;
    const check = async () => {
      const until = Math.floor(now / MIN) * MIN;
      expect(byMachine(await keptMinuteSums(pool, site, from, until, now))).toEqual(byMachine(await siteMinuteSums(pool, site, from, until)));
    };
    await minutes(Array.from({ length: 30 }, (_, i) => ({ at: from + i * MIN, machine: i % 3 === 0 ? "m-2" : "m-1" })));
    // stored longer than SLACK_MS ago: the refreshes below extend the kept sums (the tail: from minute 28)
    await sleep(SLACK_MS + 500);
    await check();
    // new minutes, one of a machine not seen yet
    await minutes([
      { at: from + 30 * MIN, machine: "m-1" },
      { at: from + 30 * MIN, machine: "m-3" },
    ]);
    now += 50_000;
    await check();
    // a minute in the tail recomputed
    await minutes([{ at: from + 29 * MIN, machine: "m-1" }]);
    now += 5000;
    await check();
    // a minute long before the tail recomputed (late data): its stored_at makes the next refresh read everything
    await minutes([{ at: from + 3 * MIN, machine: "m-2" }]);
    now += 1000;
    await check();
    // refreshes after it, then a full read at the latest after FULL_MS
    await sleep(SLACK_MS + 500);
    await minutes([{ at: from + 30 * MIN, machine: "m-2" }]);
    now += 2000;
    await check();
    now += FULL_MS;
    await check();
    // another window (the next shift) starts afresh
    const later = from + 10 * MIN;
    expect(byMachine(await keptMinuteSums(pool, site, later, Math.floor(now / MIN) * MIN, now))).toEqual(
      byMachine(await siteMinuteSums(pool, site, later, Math.floor(now / MIN) * MIN)),
    );
  });
});

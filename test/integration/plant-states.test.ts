// The plant board's kept states (lib/features/dashboard/plant-states.ts) on a real QuestDB: after
// every refresh they are what a read of everything gives (readSiteStates), with new rows, heartbeats,
// rows stored a little late (inside the overlap read again) and a site's other machines; a row
// stored later than the overlap shows at the next refresh (its received_at); a new window starts afresh.
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, inject, it } from "vitest";
import { questExec } from "#lib/adapters/questdb/http.ts";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import { ensureQuestSchema } from "#lib/adapters/questdb/schema.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { FULL_MS, OVERLAP_MS, readSiteStates, siteStates } from "#lib/features/dashboard/plant-states.ts";
import { stateKey } from "#lib/features/ingest/mapping.ts";

const env = inject("stack");
const ent = `ps${randomBytes(3).toString("hex")}`;
const site = { enterprise: ent, site: "plant" };
const pool = questPool(env.QUESTDB_PG_URL, env.QUESTDB_PG_PASSWORD, 4);
const MIN = 60_000;
// a window in the past (rows can be placed anywhere in it): "now" is simulated
const T0 = Math.floor((Date.now() - 2 * 86_400_000) / MIN) * MIN;

async function insert(rows: { at: number; machine: string; state: string }[]): Promise<void> {
  const values = rows
    .map(
      (r) =>
        `(cast(${r.at * 1000}L as timestamp), '${ent}', 'plant', 'area', 'line', '${r.machine}', '${r.state}', ${stateKey(r.state, undefined, undefined)}L, now())`,
    )
    .join(", ");
  await questExec(
    env.QUESTDB_HTTP_URL,
    `INSERT INTO ${TABLES.state} (ts, enterprise, site, area, line, machine, state, state_key, received_at) VALUES ${values}`,
  );
  await waitWalApplied(pool, [TABLES.state]);
}

afterAll(async () => {
  await pool.end();
});

describe("the plant board's kept states", () => {
  it("equal a read of everything at every refresh, up to the documented bounds", { timeout: 120_000 }, async () => {
    await ensureQuestSchema(env.QUESTDB_HTTP_URL);
    const from = T0;
    // before the window (the state it starts in), and the first hour
    await insert([
      { at: T0 - 10 * MIN, machine: "m-1", state: "running" },
      { at: T0 - 5 * MIN, machine: "m-2", state: "idle" },
      ...Array.from({ length: 12 }, (_, i) => ({ at: T0 + i * 5 * MIN, machine: "m-1", state: i % 3 === 2 ? "equipment_failure" : "running" })),
    ]);
    let now = T0 + 60 * MIN;
    const check = async () => expect(await siteStates(pool, site, from, now, now)).toEqual(await readSiteStates(pool, site, from, now));
    await check();
    // new rows, heartbeats (the same state again) and another machine's first rows
    await insert([
      { at: now + 1000, machine: "m-1", state: "running" },
      { at: now + 2000, machine: "m-1", state: "running" },
      { at: now + 3000, machine: "m-2", state: "running" },
      { at: now + 4000, machine: "m-3", state: "setup" },
    ]);
    now += 5000;
    await check();
    await insert([{ at: now + 1000, machine: "m-3", state: "running" }]);
    now += 5000;
    await check();
    // stored late, but inside the overlap read again
    await insert([{ at: now - OVERLAP_MS / 2, machine: "m-2", state: "equipment_failure" }]);
    now += 5000;
    await check();
    // stored later than the overlap (a device's buffer, a backfill): its received_at makes the next
    // refresh read everything again
    const late = { at: now - OVERLAP_MS - 60_000, machine: "m-3", state: "equipment_failure" };
    await insert([late]);
    now += 5000;
    const after = await siteStates(pool, site, from, now, now);
    expect(after.get(`${ent}/plant/area/line/m-3`)?.some((e) => e.ts === late.at)).toBe(true);
    expect(after).toEqual(await readSiteStates(pool, site, from, now));
    // and a full read at the latest after FULL_MS
    now += FULL_MS;
    await check();
    // refreshes go on from the full read
    await insert([{ at: now - 1000, machine: "m-1", state: "equipment_failure" }]);
    now += 5000;
    await check();
    // another window (the next shift) starts afresh
    expect(await siteStates(pool, site, from + 30 * MIN, now, now)).toEqual(await readSiteStates(pool, site, from + 30 * MIN, now));
  });
});

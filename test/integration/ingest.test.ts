// N messages including duplicates and invalid ones give exactly the expected rows and dead letters.
import { randomBytes } from "node:crypto";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadMachineKeys } from "#lib/adapters/db/assets.ts";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { type IngestWorker, startIngestWorker } from "#lib/features/ingest/worker.ts";
import { createLogger } from "#lib/platform/log.ts";
import { publishAll } from "../support/publish.ts";
import { seedTestPlant, testConfig, testPlant } from "../support/stack.ts";

const env = inject("stack");
const ent = `ti${randomBytes(3).toString("hex")}`;
const plant = testPlant(ent, 2);
const site = plant.sites[0]!;
const area = site.areas[0]!;
const line = area.lines[0]!;
const m1 = `${ent}/${site.slug}/${area.slug}/${line.slug}/${line.machines[0]!.slug}`;
const m2 = `${ent}/${site.slug}/${area.slug}/${line.slug}/${line.machines[1]!.slug}`;

let worker: IngestWorker;
const pool = questPool(env.QUESTDB_PG_URL, env.QUESTDB_PG_PASSWORD);

beforeAll(async () => {
  await seedTestPlant(env.DATABASE_URL, plant);
  const cfg = testConfig(env, { INGEST_CLIENT_ID: `ingest-test-${ent}`, INGEST_ENTERPRISE: ent, INGEST_FLUSH_MS: "50" });
  worker = await startIngestWorker({
    config: cfg,
    log: createLogger("test-ingest", "warn"),
    loadMachineKeys: () => loadMachineKeys(prismaFor(env.DATABASE_URL)),
  });
  await worker.subscribed;
});

afterAll(async () => {
  await worker?.stop();
  await pool.end();
});

async function count(table: string, where = "enterprise = $1", params: unknown[] = [ent]): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(`SELECT count() AS n FROM ${table} WHERE ${where}`, params);
  return Number(rows[0]?.n ?? 0);
}

describe("ingest", () => {
  it("writes every valid message exactly once and dead-letters each invalid one with its reason", async () => {
    const pub = await mqtt.connectAsync(env.MQTT_URL, { protocolVersion: 5, clientId: `pub-${ent}` });
    const t0 = Date.now() - 60_000;
    const iso = (i: number) => new Date(t0 + i * 10).toISOString();
    const sends: [string, string | Buffer][] = [];
    const N = 400;
    for (let i = 0; i < N; i++) {
      const m = i % 2 ? m1 : m2;
      sends.push([`${m}/counts`, JSON.stringify({ v: 1, ts: iso(i), mode: "delta", total: 3, reject: i % 5 === 0 ? 1 : 0 })]);
      sends.push([`${m}/vibration`, JSON.stringify({ v: 1, ts: t0 + i * 10, velocity_rms_mm_s: 1.2 + i / 1000, kurtosis: 3.1 })]);
    }
    sends.push([`${m1}/state`, JSON.stringify({ v: 1, ts: iso(1), state: "running" })]);
    sends.push([`${m1}/state`, JSON.stringify({ v: 1, ts: iso(2), code: 180000, reason: "spindle fault" })]);
    sends.push([
      `${m1}/metrics`,
      JSON.stringify({
        v: 1,
        ts: iso(3),
        metrics: [
          { name: "spindle.load", value: 0.7, unit: "ratio" },
          { name: "coolant.temp", value: 21.5 },
        ],
      }),
    ]);
    sends.push([
      `${m1}/waveform`,
      JSON.stringify({ v: 1, ts: iso(4), sample_rate_hz: 1000, unit: "g", samples: Array.from({ length: 64 }, (_, k) => Math.sin(k)) }),
    ]);
    // duplicates: the same messages again (as a redelivery would) must add no rows
    const dupes = sends.slice(0, 100);
    // invalid ones, each a different kind
    const invalid: [string, string | Buffer, RegExp][] = [
      [`${m1}/counts`, "{not json", /invalid JSON/],
      [`${m1}/counts`, JSON.stringify({ v: 1, ts: iso(9), mode: "sometimes", total: 1 }), /mode must be cumulative or delta/],
      [`${m1}/state`, JSON.stringify({ v: 2, ts: iso(9), state: "running" }), /unsupported payload version 2/],
      [`${m1}/state`, JSON.stringify({ v: 1, ts: iso(9), state: "dancing" }), /unknown state "dancing"/],
      [`${ent}/${site.slug}/${area.slug}/${line.slug}/ghost-99/counts`, JSON.stringify({ v: 1, ts: iso(9), mode: "delta", total: 1 }), /unknown machine/],
      [`${m1}/vibration`, JSON.stringify({ v: 1, ts: "1999-01-01T00:00:00Z", velocity_rms_mm_s: 1 }), /older than/],
      [`${m1}/vibration`, JSON.stringify({ v: 1, ts: new Date(Date.now() + 86_400_000).toISOString(), velocity_rms_mm_s: 1 }), /in the future/],
      [`${m1}/vibration`, JSON.stringify({ v: 1, ts: "yesterday", velocity_rms_mm_s: 1 }), /not ISO 8601/],
      [`${ent}/${site.slug}/${area.slug}/Line_X/${line.machines[0]!.slug}/state`, JSON.stringify({ v: 1, ts: iso(9), state: "idle" }), /not a valid name/],
      [`${m1}/counts`, Buffer.from([0xff, 0xfe, 0x00, 0x01]), /invalid JSON/],
    ];
    const all = [...sends, ...dupes, ...invalid.map(([t, p]) => [t, p] as [string, string | Buffer])];
    await publishAll(pub, all);
    await pub.endAsync();

    const tables = Object.values(TABLES);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && (await count(TABLES.deadLetters, "topic LIKE $1", [`${ent}/%`])) < invalid.length) {
      await new Promise((r) => setTimeout(r, 200));
    }
    while (Date.now() < deadline && (await count(TABLES.counts)) < N) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 500));
    await waitWalApplied(pool, tables);

    expect(await count(TABLES.counts)).toBe(N);
    expect(await count(TABLES.vibration)).toBe(N);
    expect(await count(TABLES.state)).toBe(2);
    expect(await count(TABLES.metrics)).toBe(2);
    expect(await count(TABLES.waveform)).toBe(1);

    const { rows: dead } = await pool.query<{ topic: string; reason: string; payload_b64: string }>(
      `SELECT topic, reason, payload_b64 FROM ${TABLES.deadLetters} WHERE topic LIKE $1`,
      [`${ent}/%`],
    );
    expect(dead).toHaveLength(invalid.length);
    for (const [topic, payload, reason] of invalid) {
      const row = dead.find((d) => d.topic === topic && d.payload_b64 === Buffer.from(payload).toString("base64"));
      expect(row, `dead letter for ${String(payload).slice(0, 40)}`).toBeDefined();
      expect(row?.reason).toMatch(reason);
    }

    const { rows: st } = await pool.query<{ state: string | null; code: number | null; reason: string | null }>(
      `SELECT state, code, reason FROM ${TABLES.state} WHERE enterprise = $1 ORDER BY ts`,
      [ent],
    );
    expect(st).toEqual([
      { state: "running", code: null, reason: null },
      { state: null, code: 180000, reason: "spindle fault" },
    ]);
    const { rows: wf } = await pool.query<{ sample_count: number; unit: string }>(`SELECT sample_count, unit FROM ${TABLES.waveform} WHERE enterprise = $1`, [
      ent,
    ]);
    expect(wf).toEqual([{ sample_count: 64, unit: "g" }]);

    const received = await worker.metrics.received.get();
    const total = received.values.reduce((s, v) => s + v.value, 0);
    expect(total).toBe(all.length);
  });
});

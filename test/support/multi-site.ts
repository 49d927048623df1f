// Shared by the multi-site broker tests: a two-site plant, MQTT helpers that report reason codes, row counts.
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { type PlantFile, readPlantFile } from "#lib/adapters/db/plant.ts";
import { questPool } from "#lib/adapters/questdb/pg.ts";
import { type MachinePath, machineKey } from "#lib/contract/identity.ts";
import { repoRoot } from "#lib/platform/config.ts";
import type { TestEnv } from "./stack.ts";

/** Two sites of the demo plant, one machine each, under a unique enterprise. */
export function twoSitePlant(prefix: string): { ent: string; plant: PlantFile; machines: [MachinePath, MachinePath] } {
  const ent = `${prefix}${randomBytes(3).toString("hex")}`;
  const demo = readPlantFile(join(repoRoot, "prisma", "seed", "demo-plant.json"));
  const plant: PlantFile = {
    enterprise: { slug: ent, name: `Test ${ent}` },
    lossMapping: demo.lossMapping,
    sites: demo.sites.slice(0, 2).map((s) => {
      const area = s.areas[0]!;
      const line = area.lines[0]!;
      return { ...s, areas: [{ ...area, lines: [{ ...line, machines: line.machines.slice(0, 1) }] }] };
    }),
  };
  const machines = plant.sites.map((s) => ({
    enterprise: ent,
    site: s.slug,
    area: s.areas[0]!.slug,
    line: s.areas[0]!.lines[0]!.slug,
    machine: s.areas[0]!.lines[0]!.machines[0]!.slug,
  })) as [MachinePath, MachinePath];
  return { ent, plant, machines };
}

export const key = machineKey;
export const url = (port: number) => `mqtts://127.0.0.1:${port}`;

/** A temp folder Mosquitto can reach: started as root, it drops to its own user. */
export function brokerTempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `andon-${name}-`));
  chmodSync(dir, 0o711);
  return dir;
}

/** The error a connection attempt ended with (undefined when it connected). */
export async function connectError(port: number, opts: IClientOptions): Promise<(Error & { code?: unknown }) | undefined> {
  try {
    const c = await mqtt.connectAsync(url(port), opts);
    await c.endAsync();
    return undefined;
  } catch (e) {
    return e as Error & { code?: unknown };
  }
}

/** The MQTT 5 reason code a refused connection came back with (undefined when it connected). */
export async function refusedConnect(port: number, opts: IClientOptions): Promise<number | undefined> {
  const e = await connectError(port, opts);
  return e ? ((e.code as number | undefined) ?? -1) : undefined;
}

/** The PUBACK reason code of a QoS 1 publish (0 when accepted). */
export async function pubackCode(c: MqttClient, topic: string, payload: string): Promise<number> {
  try {
    await c.publishAsync(topic, payload, { qos: 1 });
    return 0;
  } catch (e) {
    return (e as { code?: number }).code ?? -1;
  }
}

export const countsMsg = (ts: number, total = 1) => JSON.stringify({ v: 1, ts, mode: "delta", total, reject: 0 });

/** Rows of one enterprise in a table, and how many distinct event timestamps they have. */
export async function rowsIn(env: TestEnv, ent: string, table: string, where: string, params: unknown[]): Promise<{ n: number; distinct: number }> {
  const pool = questPool(env.QUESTDB_PG_URL, env.QUESTDB_PG_PASSWORD);
  try {
    const n = await pool.query(`SELECT count() n FROM ${table} WHERE enterprise = $1 ${where}`, [ent, ...params]);
    const d = await pool.query(`SELECT count() n FROM (SELECT DISTINCT ts FROM ${table} WHERE enterprise = $1 ${where})`, [ent, ...params]);
    return { n: Number(n.rows[0]?.n ?? 0), distinct: Number(d.rows[0]?.n ?? 0) };
  } finally {
    await pool.end();
  }
}

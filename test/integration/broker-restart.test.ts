// The broker down and restarted under the dashboard, on its own Mosquitto: the same code the alert
// routes run (lib/features/dashboard/alerts-api.ts alertDeps() -> lib/features/pdm/alerts.ts, lib/features/dashboard/context.ts publishAlert
// and onAlertChange, which feeds the SSE stream route), in this process; not the Next.js server.
// - a broker down at the first use is not cached: acknowledge answers with the saved change (no error,
//   within the publish timeout), and the live stream works once the broker is up;
// - restarted mid-use: resolve while it is down answers with the saved change; the stream subscribes
//   again and carries the next changes.

import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { asSiteKey } from "#lib/contract/identity.ts";
import { alertsTopic } from "#lib/contract/topics.ts";
import { actorOf, alertDeps } from "#lib/features/dashboard/alerts-api.ts";
import { oeeJobs, queueRecompute } from "#lib/features/dashboard/context.ts";
import { onAlertChange } from "#lib/features/dashboard/live-sources.ts";
import { acknowledgeAlert, assignAlert, raiseAlert, resolveAlert } from "#lib/features/pdm/alerts.ts";
import { startMosquitto, startRedis } from "#lib/features/stack/local-servers.ts";
import { freePort, waitFor } from "#lib/features/stack/net.ts";
import type { Managed } from "#lib/features/stack/process.ts";
import { seedTestPlant, testPlant } from "../support/stack.ts";

const env = inject("stack");
const ent = `tb${randomBytes(3).toString("hex")}`;
const plant = testPlant(ent, 2);
const site = plant.sites[0]!;
const line = site.areas[0]!.lines[0]!;
const siteKey = `${ent}/${site.slug}`;
const machineKey = (i: number) => `${siteKey}/${site.areas[0]!.slug}/${line.slug}/${line.machines[i]!.slug}`;
const prisma = prismaFor(env.DATABASE_URL);
const dir = mkdtempSync(join(tmpdir(), "andon-broker-restart-"));
const TIMEOUT_MS = 1500;
let port = 0;
let redisPort = 0;
let broker: Managed | undefined;
let redis: Managed | undefined;
const received: { change: string; id: string }[] = [];
const actor = actorOf({ kind: "user", id: "u1", name: "pm.test", displayName: "PM", role: "PLANT_MANAGER", sites: [siteKey] });

const signal = (i: number) => ({
  machineKey: machineKey(i),
  feature: "velocity_rms_mm_s",
  cause: "zone:velocity_rms_mm_s",
  severity: "WARNING" as const,
  value: 3.1,
  explanation: "velocity RMS 3.1 mm/s is in ISO 10816-3 zone C",
  suggestedAction: "plan an inspection",
  detectorVersion: "iso10816-3",
  at: Date.now(),
});
const startBroker = async () => {
  broker = await startMosquitto(join(dir, "mosquitto"), port);
};
/** Until the stream's subscription is in place: a probe published on the site's topic reaches the listener. */
async function streamLive() {
  const probe = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { protocolVersion: 5 });
  try {
    const id = randomBytes(4).toString("hex");
    await waitFor(
      "the alert stream subscribed",
      async () => {
        await probe.publishAsync(alertsTopic(asSiteKey(siteKey)), JSON.stringify({ change: "probe", id }), { qos: 1 });
        await new Promise((r) => setTimeout(r, 200));
        return received.some((m) => m.id === id);
      },
      30_000,
      0,
    );
  } finally {
    await probe.endAsync();
  }
}
/** Runs `f` and says how it ended (never throws). A call that hung would end the test by its timeout. */
async function settle<T>(f: () => Promise<T>) {
  try {
    return { ok: true as const, value: await f() };
  } catch (e) {
    return { ok: false as const, error: e as Error };
  }
}

beforeAll(async () => {
  port = await freePort();
  redisPort = await freePort();
  // the dashboard's configuration (lib/platform/config.ts reads it once, at the first use below)
  Object.assign(process.env, {
    DATABASE_URL: env.DATABASE_URL,
    MQTT_URL: `mqtt://127.0.0.1:${port}`,
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    QUEUE_PREFIX: `{andon-${ent}}`,
    WEB_IO_TIMEOUT_MS: String(TIMEOUT_MS),
  });
  await seedTestPlant(env.DATABASE_URL, plant);
});

afterAll(async () => {
  await oeeJobs().close();
  await redis?.stop();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the broker away and restarted under the dashboard", () => {
  it("alert changes are answered as saved; the live stream comes back; nothing failed once stays failed", { timeout: 120_000 }, async () => {
    const first = (await raiseAlert({ prisma }, signal(0))).alert;
    // the broker is not running when the dashboard first needs it
    await onAlertChange((key, payload) => {
      if (key === siteKey) received.push(JSON.parse(payload));
    });
    const ack = await settle(() => acknowledgeAlert(alertDeps(), actor, first.id));
    expect(ack.ok, ack.ok ? "" : ack.error.message).toBe(true);
    expect(ack.ok && ack.value.status).toBe("ACKNOWLEDGED");
    expect((await prisma.alert.findUniqueOrThrow({ where: { id: first.id } })).status).toBe("ACKNOWLEDGED");

    // the broker comes up: the same process's stream and publisher find it (no cached failure)
    await startBroker();
    await streamLive();
    const assigned = await settle(() => assignAlert(alertDeps(), actor, first.id, "tech.anna"));
    expect(assigned.ok).toBe(true);
    await waitFor("the assignment on the stream", async () => received.some((m) => m.id === first.id && m.change === "assigned"), 10_000);

    // restarted while in use: a resolve while it is down is saved and answered as saved
    await broker!.kill();
    const resolved = await settle(() => resolveAlert(alertDeps(), actor, first.id, "bearing replaced"));
    expect(resolved.ok, resolved.ok ? "" : resolved.error.message).toBe(true);
    expect(resolved.ok && resolved.value.status).toBe("RESOLVED");
    await startBroker();
    await streamLive();
    const second = (await raiseAlert({ prisma }, signal(1))).alert;
    const again = await settle(() => acknowledgeAlert(alertDeps(), actor, second.id));
    expect(again.ok).toBe(true);
    await waitFor("the second acknowledgement on the stream", async () => received.some((m) => m.id === second.id && m.change === "acknowledged"), 10_000);
  });

  it("queueing a recompute while Redis is away fails within the timeout instead of hanging, and works once Redis is up", { timeout: 60_000 }, async () => {
    const range = [{ from: Date.now() - 3_600_000, to: Date.now() - 1_800_000 }];
    const away = await settle(() => queueRecompute(range, "test"));
    expect(away.ok).toBe(false);
    redis = await startRedis(join(dir, "redis"), redisPort);
    await waitFor("the queue's connection to come back", async () => (await settle(() => queueRecompute(range, "test"))).ok, 30_000, 500);
    expect(await oeeJobs().getWaitingCount()).toBeGreaterThan(0);
  });
});

// Andon's commands to a Sparkplug device (issue 18 part 2): the command service sends a DCMD writing the
// command's value to the metric the admins mapped (channel "command"); the npm `sparkplug-client` edge node
// obeys it and reports the metric in its next DDATA; the ingest worker, as Sparkplug host, answers the
// in-flight command `completed`, and the command service applies that answer through the usual lifecycle.
// A command the device never carries out expires as unanswered.
import { randomBytes } from "node:crypto";
import mqtt from "mqtt";
import type { UPayload } from "sparkplug-client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadMachineKeys } from "#lib/adapters/db/assets.ts";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { inFlightCommand, loadSparkplugMappings } from "#lib/adapters/db/sparkplug-mappings.ts";
import { asMachineKey } from "#lib/contract/identity.ts";
import { decodeSparkplug } from "#lib/contract/sparkplug.ts";
import type { Principal } from "#lib/domain/auth/policy.ts";
import { setSparkplugMapping } from "#lib/features/admin/sparkplug.ts";
import { type CommandService, startCommandService } from "#lib/features/commands/service.ts";
import { requestCommand } from "#lib/features/commands/store.ts";
import { type IngestWorker, startIngestWorker } from "#lib/features/ingest/worker.ts";
import { waitFor } from "#lib/features/stack/net.ts";
import { createLogger } from "#lib/platform/log.ts";
import { sparkplugEdge } from "../support/sparkplug.ts";
import { seedTestPlant, testConfig, testPlant } from "../support/stack.ts";

const env = inject("stack");
const ent = `sc${randomBytes(3).toString("hex")}`;
const plant = testPlant(ent, 2);
const line = plant.sites[0]!.areas[0]!.lines[0]!;
const site = `${ent}/${plant.sites[0]!.slug}`;
const press = asMachineKey(`${site}/${plant.sites[0]!.areas[0]!.slug}/${line.slug}/${line.machines[0]!.slug}`);
const group = `g-${ent}`;
const prisma = prismaFor(env.DATABASE_URL);
const admin: Principal = { kind: "user", id: "u0", name: "admin.test", displayName: "Admin", role: "ADMIN", sites: "all" };
const pm: Principal = { kind: "user", id: "u1", name: "pm.test", displayName: "PM", role: "PLANT_MANAGER", sites: [site] };
const cfg = testConfig(env, {
  INGEST_CLIENT_ID: `spc-ingest-${ent}`,
  INGEST_ENTERPRISE: ent,
  INGEST_FLUSH_MS: "50",
  INGEST_SPARKPLUG_GROUPS: group,
  INGEST_SPARKPLUG_HOST_ID: `andon-${ent}`,
  COMMAND_CLIENT_ID: `spc-commands-${ent}`,
  COMMAND_TICK_MS: "200",
  COMMAND_ANSWER_GRACE_S: "1",
});
let worker: IngestWorker;
let service: CommandService;
let edge: ReturnType<typeof sparkplugEdge>;
let spy: mqtt.MqttClient;
const dcmds: { topic: string; payload: Buffer }[] = [];
const births: { topic: string; payload: Buffer }[] = [];
const status = async (id: string) => (await prisma.command.findUniqueOrThrow({ where: { id } })).status;

beforeAll(async () => {
  await seedTestPlant(env.DATABASE_URL, plant);
  const map = (metric: string, channel: string, field: string) =>
    setSparkplugMapping(prisma, admin, "test", { group, edgeNode: "gw1", device: "press", metric, machine: press, channel, field });
  await map("Control/Speed", "command", "set_speed");
  await map("Control/Reset", "command", "reset_fault");
  await map("Speed", "metrics", "speed_pct");
  spy = await mqtt.connectAsync(env.MQTT_URL, { protocolVersion: 5, clientId: `spy-${ent}` });
  spy.on("message", (topic, payload) => (topic.includes("/DCMD/") ? dcmds : births).push({ topic, payload }));
  await spy.subscribeAsync([`spBv1.0/${group}/DCMD/#`, `spBv1.0/${group}/DBIRTH/#`], { qos: 0 });
  const log = createLogger("test-sparkplug-commands", "error");
  worker = await startIngestWorker({
    config: cfg,
    log,
    loadMachineKeys: () => loadMachineKeys(prisma),
    loadSparkplugMappings: () => loadSparkplugMappings(prisma),
    inFlightCommand: (m) => inFlightCommand(prisma, m),
  });
  // publish only once the broker has granted the host's subscriptions (HiveMQ grants them later than Mosquitto)
  await worker.subscribed;
  service = await startCommandService({ config: cfg, prisma, log });
});

afterAll(async () => {
  edge?.stop();
  await service?.stop();
  await worker?.stop();
  await spy?.endAsync();
});

describe("commands to a Sparkplug device", () => {
  it("sends a DCMD, the edge node obeys and reports, and the command completes; one never carried out expires", async () => {
    const speed = { alias: 20, type: "Double", value: 100 as unknown };
    edge = sparkplugEdge(env.MQTT_URL, ent, group);
    edge.on("birth", () => {
      edge.publishNodeBirth({ timestamp: Date.now(), metrics: [] });
      edge.publishDeviceBirth("press", {
        timestamp: Date.now(),
        metrics: [
          { name: "Control/Speed", ...speed },
          { name: "Control/Reset", alias: 21, type: "Boolean", value: false },
        ],
      } as UPayload);
    });
    // the device: obeys Control/Speed (reports the new value), ignores Control/Reset
    edge.on("dcmd", (device: string, p: UPayload) => {
      for (const m of p.metrics ?? []) {
        if (device === "press" && m.name === "Control/Speed") {
          speed.value = m.value;
          edge.publishDeviceData("press", { timestamp: Date.now(), metrics: [{ ...speed, timestamp: Date.now() }] } as UPayload);
        }
      }
    });
    await waitFor("the device's birth", async () => births.length > 0, 10_000);

    const { command } = await requestCommand(prisma, pm, { machine: press, type: "set_speed", params: { speed_pct: 70 }, confirm: true, expiresInS: 60 });
    await waitFor(`command ${command.id} COMPLETED`, async () => (await status(command.id)) === "COMPLETED", 20_000);
    expect(dcmds.map((d) => d.topic)).toEqual([`spBv1.0/${group}/DCMD/gw1/press`]);
    const d = decodeSparkplug(dcmds[0]!.payload);
    expect(d.ok && d.payload.metrics.map((m) => [m.name, m.value])).toEqual([["Control/Speed", { case: "doubleValue", value: 70 }]]);
    expect(speed.value).toBe(70);

    // a command the device does not carry out: sent as a DCMD, never reported, expired as unanswered
    const { command: reset } = await requestCommand(prisma, pm, { machine: press, type: "reset_fault", params: {}, confirm: true, expiresInS: 5 });
    await waitFor(`command ${reset.id} EXPIRED`, async () => (await status(reset.id)) === "EXPIRED", 20_000);
    expect(dcmds.map((x) => x.topic)).toEqual([`spBv1.0/${group}/DCMD/gw1/press`, `spBv1.0/${group}/DCMD/gw1/press`]);
    const r = decodeSparkplug(dcmds[1]!.payload);
    expect(r.ok && r.payload.metrics.map((m) => [m.name, m.value])).toEqual([["Control/Reset", { case: "booleanValue", value: true }]]);
    const history = await prisma.command.findUniqueOrThrow({ where: { id: command.id } });
    expect(history.status).toBe("COMPLETED");
  });
});

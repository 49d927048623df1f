// Command answers are data, never control flow: hostile answers on the response topics reach the real
// command service process (workers/commands.ts) through a real Mosquitto. Each is dead-lettered with a
// bounded reason (the payload kept as a bounded prefix with its size and SHA-256); the process keeps
// running and the answers behind them are applied.

import { createHash, randomUUID } from "node:crypto";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { loadMachines } from "#lib/adapters/db/plant.ts";
import type { MachineKey } from "#lib/contract/identity.ts";
import { responseTopic } from "#lib/contract/topics.ts";
import type { Principal } from "#lib/domain/auth/policy.ts";
import { requestCommand } from "#lib/features/commands/store.ts";
import { MachineCommandLink } from "#lib/features/sim/commands.ts";
import { MachineSim } from "#lib/features/sim/machine.ts";
import { waitFor } from "#lib/features/stack/net.ts";
import { type Managed, spawnScript } from "#lib/features/stack/process.ts";
import { seedTestPlant, testConfig, testPlant } from "../support/stack.ts";

const env = inject("stack");
const ent = `th${randomUUID().slice(0, 6)}`;
const plant = testPlant(ent, 2);
const site = `${ent}/${plant.sites[0]!.slug}`;
const prisma = prismaFor(env.DATABASE_URL);
const cfg = testConfig(env, { COMMAND_CLIENT_ID: `andon-commands-${ent}` });
const pm: Principal = { kind: "user", id: "u1", name: "pm.test", displayName: "PM", role: "PLANT_MANAGER", sites: [site] };
let proc: Managed | undefined;
let link: MachineCommandLink | undefined;
let keys: MachineKey[] = [];

const status = async (id: string) => (await prisma.command.findUniqueOrThrow({ where: { id } })).status;
const until = (id: string, want: string, ms = 30_000) => waitFor(`command ${id} ${want}`, async () => (await status(id)) === want, ms);
const deadLetters = () =>
  prisma.auditLog.findMany({ where: { action: "command.answer.dead-lettered", subject: { startsWith: `${ent}/` } }, orderBy: { id: "asc" } });

beforeAll(async () => {
  await seedTestPlant(env.DATABASE_URL, plant);
  const machines = (await loadMachines(prisma)).filter((m) => m.enterprise === ent);
  keys = machines.map((m) => m.key).sort();
  const m = machines.find((x) => `${x.enterprise}/${x.site}/${x.area}/${x.line}/${x.slug}` === keys[0])!;
  const sim = new MachineSim(m, { seed: 3, waveformEvery: 0 });
  sim.tick(Date.now());
  link = new MachineCommandLink({ config: cfg, sim, completionDelayMs: 100 });
  await link.connect();
  proc = spawnScript("commands", "workers/commands.ts", {
    env: { DATABASE_URL: env.DATABASE_URL, MQTT_URL: env.MQTT_URL, COMMAND_CLIENT_ID: `andon-commands-${ent}`, COMMAND_TICK_MS: "200", LOG_LEVEL: "warn" },
    logFile: ".andon/test-command-answers.log",
  });
});

afterAll(async () => {
  await proc?.stop();
  await link?.disconnect();
});

describe("hostile command answers", () => {
  it("are dead-lettered with bounded reasons; the service keeps running and applies the answers behind them", { timeout: 120_000 }, async () => {
    const [simulated, silent] = [keys[0]!, keys[1]!];
    // a first command shows the service is up and subscribed
    const first = await requestCommand(prisma, pm, { machine: simulated, type: "ack_hmi_alarm", params: { alarm_code: "up" } });
    await until(first.command.id, "COMPLETED", 60_000);
    // a command in flight to a machine without a simulator: its (odd but valid) answer comes last
    const inFlight = await requestCommand(prisma, pm, { machine: silent, type: "ack_hmi_alarm", params: { alarm_code: "x" } });
    await until(inFlight.command.id, "SENT");

    const ts = new Date().toISOString();
    const topic = responseTopic(silent);
    const valid = (o: Record<string, unknown>) => JSON.stringify({ v: 1, id: inFlight.command.id, status: "accepted", ts, ...o });
    const hostile: { name: string; topic?: string; payload: Buffer | string; correlation?: Buffer; reason: RegExp }[] = [
      { name: "not JSON", payload: "{not json", reason: /^payload is not JSON$/ },
      { name: "empty", payload: "", reason: /^payload is not JSON$/ },
      { name: "10 KB of nested arrays", payload: `${"[".repeat(5000)}${"]".repeat(5000)}`, reason: /^payload: / },
      { name: "deeply nested objects", payload: `${'{"a":'.repeat(20_000)}1${"}".repeat(20_000)}`, reason: /^v: / },
      { name: "a 1 MB reason", payload: valid({ status: "failed", reason: "r".repeat(1 << 20) }), reason: /^reason: / },
      { name: "a 100 KB id", payload: valid({ id: "i".repeat(100_000) }), reason: /^id: / },
      {
        name: "__proto__ and constructor keys",
        payload: `{"__proto__":{"v":1,"status":"completed"},"constructor":{"prototype":{"v":1}},"id":"${inFlight.command.id}","ts":"${ts}"}`,
        reason: /^v: /,
      },
      { name: "wrong types everywhere", payload: JSON.stringify({ v: "1", id: 7, status: ["completed"], reason: {}, ts: 0 }), reason: /^v: / },
      { name: "an overflowing number", payload: "1e999", reason: /^payload: / },
      { name: "invalid UTF-8", payload: Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x00, 0x7b]), reason: /^payload is not JSON$/ },
      { name: "binary", payload: createHash("sha512").update(ent).digest(), reason: /^payload is not JSON$/ },
      // cut at 2000 characters, the kept prefix would end in half an emoji (JSONB refuses a lone surrogate)
      { name: "an emoji across the kept prefix", payload: `${"a".repeat(1999)}\u{1F600}${"b".repeat(10)}`, reason: /^payload is not JSON$/ },
      { name: "a 60 KB correlation data", payload: valid({}), correlation: Buffer.alloc(60_000, 0x41), reason: /^correlation data "A+… does not match id / },
      {
        name: "a 10 KB topic level",
        topic: `${ent}/${"s".repeat(10_000)}/a/l/m/command/response`,
        payload: valid({}),
        reason: /^not a command response topic$/,
      },
    ];
    const raw = await mqtt.connectAsync(env.MQTT_URL, { protocolVersion: 5 });
    for (const h of hostile) {
      await raw.publishAsync(h.topic ?? topic, h.payload, { qos: 1, ...(h.correlation ? { properties: { correlationData: h.correlation } } : {}) });
    }
    // and last a valid answer whose reason holds a lone surrogate: applied, stored as well-formed text
    await raw.publishAsync(topic, valid({ status: "failed", reason: "bad \udc00 byte" }), { qos: 1 });
    await raw.endAsync();

    await until(inFlight.command.id, "FAILED");
    expect((await prisma.command.findUniqueOrThrow({ where: { id: inFlight.command.id } })).reason).toBe("bad \ufffd byte");
    await waitFor("every hostile answer dead-lettered", async () => (await deadLetters()).length >= hostile.length, 30_000);
    const dead = await deadLetters();
    expect(dead).toHaveLength(hostile.length);
    for (const [i, h] of hostile.entries()) {
      const d = dead[i]!;
      const details = d.details as { reason: string; payload: string; bytes: number; sha256: string };
      const bytes = Buffer.from(h.payload);
      expect(details.reason, h.name).toMatch(h.reason);
      expect(details.reason.length, h.name).toBeLessThanOrEqual(500);
      expect(d.subject.length, h.name).toBeLessThanOrEqual(300);
      expect(details.payload.length, h.name).toBeLessThanOrEqual(2000);
      expect(details.bytes, h.name).toBe(bytes.length);
      expect(details.sha256, h.name).toBe(createHash("sha256").update(bytes).digest("hex"));
    }
    // the service process is alive and still applies answers
    expect(proc!.child.exitCode).toBeNull();
    const after = await requestCommand(prisma, pm, { machine: simulated, type: "ack_hmi_alarm", params: { alarm_code: "after" } });
    await until(after.command.id, "COMPLETED");
    expect(proc!.child.exitCode).toBeNull();
  });
});

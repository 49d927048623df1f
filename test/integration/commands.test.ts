// Commands to machines against real PostgreSQL and Mosquitto: the command service (in this process,
// and as a process killed with SIGKILL) and simulated machines on their own MQTT sessions.
// A command is answered and completes; a machine's commands go out one at a time and in order; a
// machine offline until after the expiry never executes the command and it ends EXPIRED; duplicate
// requests, repeated requests at the machine and redelivered answers lead to one execution; a killed
// service leaves every command final or resumable; refused requests publish nothing.

import { randomUUID } from "node:crypto";
import mqtt from "mqtt";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { loadMachines } from "#lib/adapters/db/plant.ts";
import type { MachineKey } from "#lib/contract/identity.ts";
import { commandTopic, responseTopic } from "#lib/contract/topics.ts";
import type { Principal } from "#lib/domain/auth/policy.ts";
import { type CommandService, startCommandService } from "#lib/features/commands/service.ts";
import { CommandError, requestCommand } from "#lib/features/commands/store.ts";
import { MachineCommandLink } from "#lib/features/sim/commands.ts";
import { MachineSim } from "#lib/features/sim/machine.ts";
import { waitFor } from "#lib/features/stack/net.ts";
import { spawnScript } from "#lib/features/stack/process.ts";
import { createLogger } from "#lib/platform/log.ts";
import { seedTestPlant, testConfig, testPlant } from "../support/stack.ts";

const env = inject("stack");
const ent = `tc${randomUUID().slice(0, 6)}`;
const plant = testPlant(ent, 4);
const site = `${ent}/${plant.sites[0]!.slug}`;
const prisma = prismaFor(env.DATABASE_URL);
const log = createLogger("test-commands", "warn");
const cfg = testConfig(env, { COMMAND_CLIENT_ID: `andon-commands-${ent}`, COMMAND_TICK_MS: "200", COMMAND_ANSWER_GRACE_S: "1" });
const pm: Principal = { kind: "user", id: "u1", name: "pm.test", displayName: "PM", role: "PLANT_MANAGER", sites: [site] };
let keys: MachineKey[] = [];
const sims = new Map<MachineKey, MachineSim>();
const links: MachineCommandLink[] = [];
let service: CommandService | undefined;
let spy: mqtt.MqttClient;
const seen: { topic: string; id: string; props: mqtt.IPublishPacket["properties"] }[] = [];

async function link(key: MachineKey, completionDelayMs = 300): Promise<MachineCommandLink> {
  const l = new MachineCommandLink({ config: cfg, sim: sims.get(key)!, completionDelayMs });
  links.push(l);
  return l;
}

const status = async (id: string) => (await prisma.command.findUniqueOrThrow({ where: { id } })).status;
const until = (id: string, want: string, ms = 20_000) => waitFor(`command ${id} ${want}`, async () => (await status(id)) === want, ms);

beforeAll(async () => {
  await seedTestPlant(env.DATABASE_URL, plant);
  const machines = (await loadMachines(prisma)).filter((m) => m.enterprise === ent);
  for (const m of machines) {
    const sim = new MachineSim(m, { seed: 7, waveformEvery: 0 });
    sim.tick(Date.now());
    sims.set(sim.key, sim);
  }
  keys = [...sims.keys()].sort();
  spy = await mqtt.connectAsync(env.MQTT_URL, { protocolVersion: 5 });
  spy.on("message", (topic, p, packet) => seen.push({ topic, id: JSON.parse(p.toString()).id, props: packet.properties }));
  await spy.subscribeAsync(`${ent}/+/+/+/+/command`, { qos: 1 });
});

afterAll(async () => {
  await service?.stop();
  await Promise.all(links.map((l) => l.disconnect()));
  await spy?.endAsync();
});

describe("the command service with simulated machines", () => {
  it("sends a command over MQTT 5 with response topic, correlation data and expiry; the machine answers and it completes", async () => {
    service = await startCommandService({ config: cfg, prisma, log });
    const key = keys[0]!;
    await (await link(key)).connect();
    const { command } = await requestCommand(prisma, pm, { machine: key, type: "stop", params: { reason: "guard door open" }, confirm: true, expiresInS: 60 });
    await until(command.id, "COMPLETED");
    expect(sims.get(key)!.state).toBe("stopped");
    const events = await prisma.commandEvent.findMany({ where: { commandId: command.id }, orderBy: { id: "asc" } });
    expect(events.map((e) => e.to)).toEqual(["CREATED", "QUEUED", "SENT", "ACCEPTED", "COMPLETED"]);
    expect(events.map((e) => e.actor)).toEqual(["pm.test", "pm.test", "command-service", `machine ${key}`, `machine ${key}`]);
    const msg = seen.find((s) => s.id === command.id);
    expect(msg?.topic).toBe(commandTopic(key));
    expect(msg?.props?.responseTopic).toBe(responseTopic(key));
    expect(msg?.props?.correlationData?.toString()).toBe(command.id);
    expect(msg?.props?.messageExpiryInterval).toBeGreaterThan(50);
    expect(msg?.props?.messageExpiryInterval).toBeLessThanOrEqual(60);
    const audit = await prisma.auditLog.findMany({ where: { subject: key, action: { startsWith: "command." } } });
    expect(audit.map((a) => a.action).sort()).toEqual(["command.accepted", "command.completed", "command.requested", "command.sent"]);
    // and back on: the machine produces again
    const start = await requestCommand(prisma, pm, { machine: key, type: "start", confirm: true });
    await until(start.command.id, "COMPLETED");
    expect(sims.get(key)!.state).toBe("running");
  });

  it("rejects what the machine cannot do, with the machine's reason", async () => {
    const key = keys[0]!;
    const { command } = await requestCommand(prisma, pm, { machine: key, type: "set_speed", params: { speed_pct: 140 }, confirm: true });
    await until(command.id, "REJECTED");
    const c = await prisma.command.findUniqueOrThrow({ where: { id: command.id } });
    expect(c.reason).toBe("speed 140 % is outside this machine's range 50-110 %");
    expect(sims.get(key)!.speedPct).toBe(100);
  });

  it("queues a machine's commands while one is in flight and sends them in order", async () => {
    const key = keys[1]!;
    const l = await link(key);
    await l.connect(); // the session with its subscription exists; the machine goes offline
    await l.disconnect();
    const ids: string[] = [];
    for (const note of ["first", "second", "third"]) {
      ids.push((await requestCommand(prisma, pm, { machine: key, type: "request_inspection", params: { note } })).command.id);
    }
    await until(ids[0]!, "SENT");
    await service!.pump();
    expect(await Promise.all(ids.map(status))).toEqual(["SENT", "QUEUED", "QUEUED"]);
    await l.connect();
    for (const id of ids) await until(id, "COMPLETED");
    expect(l.executed).toEqual(ids);
    expect(sims.get(key)!.hmi).toEqual(["inspection (normal): first", "inspection (normal): second", "inspection (normal): third"]);
    const rows = await prisma.command.findMany({ where: { id: { in: ids } }, orderBy: { seq: "asc" } });
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.sentAt!.getTime()).toBeGreaterThanOrEqual(rows[i - 1]!.finishedAt!.getTime());
  });

  it("never executes a command on a machine that comes online after the expiry; the command ends EXPIRED", async () => {
    const key = keys[2]!;
    const l = await link(key);
    await l.connect();
    await l.disconnect();
    const { command } = await requestCommand(prisma, pm, { machine: key, type: "stop", confirm: true, expiresInS: 5 });
    await until(command.id, "SENT");
    await until(command.id, "EXPIRED");
    const before = sims.get(key)!.state;
    await l.connect();
    // the link works: a command sent now is carried out, after anything the broker still held
    const later = await requestCommand(prisma, pm, { machine: key, type: "ack_hmi_alarm", params: { alarm_code: "E-17" } });
    await until(later.command.id, "COMPLETED");
    expect(l.executed).toEqual([later.command.id]);
    expect(sims.get(key)!.state).toBe(before);
    expect(await status(command.id)).toBe("EXPIRED");
    const c = await prisma.command.findUniqueOrThrow({ where: { id: command.id } });
    expect(c.reason).toMatch(/did not accept it before it expired/);
  });

  it("the machine itself refuses a request whose expires_at has passed (even if a broker delivers it)", async () => {
    const key = keys[2]!;
    const id = randomUUID();
    const answers: string[] = [];
    const probe = await mqtt.connectAsync(env.MQTT_URL, { protocolVersion: 5 });
    probe.on("message", (_t, p) => answers.push(JSON.parse(p.toString()).status));
    await probe.subscribeAsync(`${responseTopic(key)}-probe`, { qos: 1 });
    const past = new Date(Date.now() - 1000).toISOString();
    await probe.publishAsync(commandTopic(key), JSON.stringify({ v: 1, id, type: "stop", params: {}, issued_at: past, expires_at: past, issued_by: "test" }), {
      qos: 1,
      properties: { responseTopic: `${responseTopic(key)}-probe` },
    });
    await waitFor("an answer", async () => answers.length > 0, 10_000);
    expect(answers).toEqual(["rejected"]);
    expect(links.find((l) => l.executed.includes(id))).toBeUndefined();
    await probe.endAsync();
  });

  it("a duplicate request, a repeated request at the machine and redelivered answers lead to exactly one execution", async () => {
    const key = keys[3]!;
    const l = await link(key);
    await l.connect();
    const id = randomUUID();
    const input = { id, machine: key, type: "request_inspection" as const, params: { note: "bearing noise" } };
    const [a, b] = await Promise.all([requestCommand(prisma, pm, input), requestCommand(prisma, pm, input)]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    await expect(requestCommand(prisma, pm, { ...input, params: { note: "something else" } })).rejects.toThrow(/already used by another command/);
    await until(id, "COMPLETED");
    const events = async () => (await prisma.commandEvent.findMany({ where: { commandId: id } })).length;
    const n = await events();
    // the same request published again at the machine (a redelivery) and the answers again at the service
    const req = seen.find((s) => s.id === id)!;
    const raw = await mqtt.connectAsync(env.MQTT_URL, { protocolVersion: 5 });
    await raw.publishAsync(
      commandTopic(key),
      JSON.stringify({
        v: 1,
        id,
        type: "request_inspection",
        params: { note: "bearing noise" },
        issued_at: new Date().toISOString(),
        expires_at: new Date(Date.now() + 60_000).toISOString(),
        issued_by: "x",
      }),
      { qos: 1, properties: { responseTopic: req.props!.responseTopic!, correlationData: Buffer.from(id) } },
    );
    for (const s of ["accepted", "completed", "failed"]) {
      await raw.publishAsync(responseTopic(key), JSON.stringify({ v: 1, id, status: s, reason: "x", ts: new Date().toISOString() }), {
        qos: 1,
        properties: { correlationData: Buffer.from(id) },
      });
    }
    await raw.endAsync();
    // a sentinel command behind it: once it completed, everything before it was processed
    const sentinel = await requestCommand(prisma, pm, { machine: key, type: "ack_hmi_alarm", params: { alarm_code: "S" } });
    await until(sentinel.command.id, "COMPLETED");
    expect(l.executed).toEqual([id, sentinel.command.id]);
    expect(await status(id)).toBe("COMPLETED");
    expect(await events()).toBe(n);
    expect(await prisma.command.count({ where: { id } })).toBe(1);
  });

  it("dead-letters an answer from another machine and a malformed answer, with the reason", async () => {
    const key = keys[3]!;
    const { command } = await requestCommand(prisma, pm, { machine: key, type: "ack_hmi_alarm", params: { alarm_code: "Z" } });
    await until(command.id, "COMPLETED");
    const raw = await mqtt.connectAsync(env.MQTT_URL, { protocolVersion: 5 });
    await raw.publishAsync(responseTopic(keys[0]!), JSON.stringify({ v: 1, id: command.id, status: "failed", reason: "spoof", ts: new Date().toISOString() }), {
      qos: 1,
    });
    await raw.publishAsync(responseTopic(keys[0]!), "{not json", { qos: 1 });
    await raw.endAsync();
    await waitFor(
      "dead letters",
      async () => (await prisma.auditLog.count({ where: { action: "command.answer.dead-lettered", subject: responseTopic(keys[0]!) } })) >= 2,
      10_000,
    );
    const dead = await prisma.auditLog.findMany({ where: { action: "command.answer.dead-lettered", subject: responseTopic(keys[0]!) } });
    expect(dead.map((d) => (d.details as { reason: string }).reason).sort()).toEqual([
      `command ${command.id} was sent to ${key}, not to ${keys[0]}`,
      "payload is not JSON",
    ]);
    expect(await status(command.id)).toBe("COMPLETED");
  });

  it("a retried request is the same command whatever the key order; an answer the database refuses is dead-lettered and stalls nothing", async () => {
    const key = keys[3]!;
    const id = randomUUID();
    const params = { note: "retry me", priority: "urgent", alert_id: randomUUID() };
    const first = await requestCommand(prisma, pm, { id, machine: key, type: "request_inspection", params });
    // JSONB returns the keys in its own order: the retry must still be recognised
    const again = await requestCommand(prisma, pm, {
      id,
      machine: key,
      type: "request_inspection",
      params: { alert_id: params.alert_id, priority: "urgent", note: "retry me" },
    });
    expect([first.created, again.created]).toEqual([true, false]);
    await until(id, "COMPLETED");
    // a machine (no simulator behind it) answers "failed" with a NUL in its reason: PostgreSQL refuses NUL in
    // text, so the service stores it escaped; the answers behind it are applied as usual
    const silent = keys[7]!;
    const nul = await requestCommand(prisma, pm, { machine: silent, type: "ack_hmi_alarm", params: { alarm_code: "nul" } });
    await until(nul.command.id, "SENT");
    const raw = await mqtt.connectAsync(env.MQTT_URL, { protocolVersion: 5 });
    await raw.publishAsync(
      responseTopic(silent),
      JSON.stringify({ v: 1, id: nul.command.id, status: "failed", reason: "bad\u0000byte", ts: new Date().toISOString() }),
      {
        qos: 1,
      },
    );
    await raw.endAsync();
    await until(nul.command.id, "FAILED");
    expect((await prisma.command.findUniqueOrThrow({ where: { id: nul.command.id } })).reason).toBe("bad\\u0000byte");
    const after = await requestCommand(prisma, pm, { machine: key, type: "ack_hmi_alarm", params: { alarm_code: "after-nul" } });
    await until(after.command.id, "COMPLETED");
  });

  it("refuses an unauthorized role, another site's user and a missing confirmation, and publishes nothing", async () => {
    const key = keys[3]!;
    const corp: Principal = { ...pm, name: "corp", role: "CORPORATE", sites: "all" };
    const other: Principal = { ...pm, name: "pm.other", sites: [`${ent}/elsewhere`] };
    const tech: Principal = { ...pm, name: "tech", role: "MAINTENANCE" };
    const refused = async (p: Principal, input: Parameters<typeof requestCommand>[2]) => {
      const e = await requestCommand(prisma, p, input).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(CommandError);
      return e as CommandError;
    };
    expect((await refused(corp, { machine: key, type: "request_inspection", params: { note: "x" } })).code).toBe("forbidden");
    expect((await refused(other, { machine: key, type: "stop", confirm: true })).message).toMatch(/may not send "stop" to/);
    expect((await refused(tech, { machine: key, type: "set_speed", params: { speed_pct: 80 }, confirm: true })).code).toBe("forbidden");
    const unconfirmed = await refused(pm, { machine: key, type: "stop" });
    expect(unconfirmed.code).toBe("invalid");
    expect(unconfirmed.message).toMatch(/confirm it explicitly/);
    expect((await refused(pm, { machine: key, type: "slow_down", params: { speed_pct: 120 } })).message).toBe(
      "params.speed_pct: speed_pct must be at most 99 %",
    );
    const before = seen.filter((s) => s.topic === commandTopic(key)).length;
    const rows = await prisma.command.count({ where: { machineKey: key } });
    const sentinel = await requestCommand(prisma, pm, { machine: key, type: "ack_hmi_alarm", params: { alarm_code: "after-refusals" } });
    await until(sentinel.command.id, "COMPLETED");
    await waitFor("the sentinel on the spy", async () => seen.some((s) => s.id === sentinel.command.id), 5000);
    expect(
      seen
        .filter((s) => s.topic === commandTopic(key))
        .map((s) => s.id)
        .slice(before),
    ).toEqual([sentinel.command.id]);
    expect(await prisma.command.count({ where: { machineKey: key } })).toBe(rows + 1);
  });
});

describe("a command that expires while it is being sent", () => {
  it("becomes EXPIRED and is never published when the send waited past its expiry (a row lock holds it)", { timeout: 60_000 }, async () => {
    service ??= await startCommandService({ config: cfg, prisma, log });
    // the silent machine (no simulator): A in flight keeps B queued until the test lets it go
    const key = keys[7]!;
    const a = await requestCommand(prisma, pm, { machine: key, type: "ack_hmi_alarm", params: { alarm_code: "A" } });
    await until(a.command.id, "SENT");
    const b = await requestCommand(prisma, pm, { machine: key, type: "ack_hmi_alarm", params: { alarm_code: "B" }, expiresInS: 5 });
    const locker = new pg.Client({ connectionString: env.DATABASE_URL });
    await locker.connect();
    try {
      await locker.query("BEGIN");
      await locker.query(`SELECT 1 FROM "Command" WHERE id = $1 FOR UPDATE`, [b.command.id]);
      // A is answered: the service's next round sends B, and its update waits for the lock
      const raw = await mqtt.connectAsync(env.MQTT_URL, { protocolVersion: 5 });
      await raw.publishAsync(responseTopic(key), JSON.stringify({ v: 1, id: a.command.id, status: "rejected", reason: "test", ts: new Date().toISOString() }), {
        qos: 1,
      });
      await raw.endAsync();
      await until(a.command.id, "REJECTED");
      await waitFor(
        "the send of B waiting for the row lock",
        async () => {
          const r = await locker.query(
            `SELECT count(*)::int n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%UPDATE%Command%'`,
          );
          return r.rows[0].n > 0;
        },
        10_000,
      );
      await waitFor("B's expiry", async () => Date.now() > b.command.expiresAt.getTime() + 20, 10_000, 50);
    } finally {
      await locker.query("ROLLBACK").catch(() => undefined);
      await locker.end();
    }
    await until(b.command.id, "EXPIRED");
    const row = await prisma.command.findUniqueOrThrow({ where: { id: b.command.id }, include: { events: { orderBy: { id: "asc" } } } });
    expect(row.reason).toBe("expired before it could be sent: never published");
    expect(row.events.map((e) => e.to)).toEqual(["CREATED", "QUEUED", "EXPIRED"]);
    expect(row.publishes).toBe(0);
    expect(row.sentAt).toBeNull();
    // a command behind it is published: everything published to the machine before it has reached the spy
    const c = await requestCommand(prisma, pm, { machine: key, type: "ack_hmi_alarm", params: { alarm_code: "C" } });
    await until(c.command.id, "SENT");
    await waitFor("C on the spy", async () => seen.some((x) => x.id === c.command.id), 10_000);
    expect(seen.filter((x) => x.id === b.command.id)).toEqual([]);
    const raw = await mqtt.connectAsync(env.MQTT_URL, { protocolVersion: 5 });
    await raw.publishAsync(responseTopic(key), JSON.stringify({ v: 1, id: c.command.id, status: "rejected", reason: "test", ts: new Date().toISOString() }), {
      qos: 1,
    });
    await raw.endAsync();
    await until(c.command.id, "REJECTED");
  });
});

describe("the command service killed with SIGKILL mid-flight", () => {
  it("leaves every command final or resumable, and each executed exactly once after the restart", { timeout: 120_000 }, async () => {
    await service?.stop();
    service = undefined;
    const env2 = {
      DATABASE_URL: env.DATABASE_URL,
      MQTT_URL: env.MQTT_URL,
      COMMAND_CLIENT_ID: `andon-commands-${ent}-proc`,
      COMMAND_TICK_MS: "200",
      COMMAND_ANSWER_GRACE_S: "1",
      LOG_LEVEL: "info",
    };
    const spawn = () => spawnScript("commands", "workers/commands.ts", { env: env2, logFile: ".andon/test-commands-worker.log" });
    let proc = spawn();
    // A answers slowly (ACCEPTED when the service dies), B is offline (SENT), C has two queued
    // machines no other test used (fresh sessions)
    expect(keys.length).toBeGreaterThanOrEqual(8);
    const [ka, kb, kc] = [keys[4]!, keys[5]!, keys[6]!];
    const [la, lb, lc] = [await link(ka, 4000), await link(kb), await link(kc)];
    for (const l of [la, lb, lc]) await l.connect();
    await lb.disconnect();
    await lc.disconnect();
    const before = { a: la.executed.length, b: lb.executed.length, c: lc.executed.length };
    const a = await requestCommand(prisma, pm, { machine: ka, type: "slow_down", params: { speed_pct: 80 } });
    const b = await requestCommand(prisma, pm, { machine: kb, type: "request_inspection", params: { note: "after restart" } });
    const c1 = await requestCommand(prisma, pm, { machine: kc, type: "request_inspection", params: { note: "c1" } });
    const c2 = await requestCommand(prisma, pm, { machine: kc, type: "request_inspection", params: { note: "c2" } });
    await until(a.command.id, "ACCEPTED");
    await until(b.command.id, "SENT");
    await until(c1.command.id, "SENT");
    await proc.kill();
    // while the service is down: A completes, B comes online and answers (the broker keeps both)
    await lb.connect();
    await waitFor("B executed while the service is down", async () => lb.executed.length === before.b + 1, 10_000);
    await new Promise((r) => setTimeout(r, 4500)); // A's completion is published meanwhile
    expect(await status(a.command.id)).toBe("ACCEPTED");
    expect(await status(b.command.id)).toBe("SENT");
    const history = async (id: string) =>
      (await prisma.commandEvent.findMany({ where: { commandId: id }, orderBy: { id: "asc" } })).map((e) => `${e.from ?? ""}>${e.to}`);
    proc = spawn();
    await until(a.command.id, "COMPLETED", 30_000);
    await until(b.command.id, "COMPLETED", 30_000);
    // C is still offline, so C1 is still SENT when the restarted service looks for such commands: it is
    // published again. Waited for before C comes online: A's and B's answers arrive as soon as the service
    // connects, so they may complete before that look (HiveMQ grants the SUBSCRIBE the look waits for
    // later than Mosquitto), and C's answer to the first publish would then win the race.
    await waitFor("C1 published again after the restart", async () => (await history(c1.command.id)).includes("SENT>SENT"), 30_000);
    await lc.connect();
    await until(c1.command.id, "COMPLETED", 30_000);
    await until(c2.command.id, "COMPLETED", 30_000);
    await proc.stop();
    expect(la.executed.slice(before.a)).toEqual([a.command.id]);
    expect(lb.executed.slice(before.b)).toEqual([b.command.id]);
    expect(lc.executed.slice(before.c)).toEqual([c1.command.id, c2.command.id]);
    expect(sims.get(ka)!.speedPct).toBe(80);
    // every transition once, in lifecycle order (answers kept by the broker, applied after the restart);
    // C1 was SENT when the service died and nothing answered it: its publish after the restart is in its
    // history. B's answers wait at the broker and arrive at the restart, applied before or after the
    // service looks for commands still SENT: either way the history says what happened.
    const once = [">CREATED", "CREATED>QUEUED", "QUEUED>SENT", "SENT>ACCEPTED", "ACCEPTED>COMPLETED"];
    const republished = [">CREATED", "CREATED>QUEUED", "QUEUED>SENT", "SENT>SENT", "SENT>ACCEPTED", "ACCEPTED>COMPLETED"];
    expect(await history(a.command.id)).toEqual(once);
    expect(await history(c2.command.id)).toEqual(once);
    expect(await history(c1.command.id)).toEqual(republished);
    const bRow = await prisma.command.findUniqueOrThrow({ where: { id: b.command.id } });
    expect(await history(b.command.id)).toEqual(bRow.publishes === 2 ? republished : once);
    const c1Row = await prisma.command.findUniqueOrThrow({ where: { id: c1.command.id }, include: { events: true } });
    expect(c1Row.publishes).toBe(2);
    const again = c1Row.events.find((e) => e.from === "SENT" && e.to === "SENT");
    expect(again?.actor).toBe("command-service");
    expect(again?.reason).toBe("published again after a restart of the command service (same id) (publish 2)");
  });
});

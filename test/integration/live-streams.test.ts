// The plant board's and the machine page's live streams, through their API route handlers, in this
// process (not the Next.js server) against the real PostgreSQL, Mosquitto and QuestDB: a caller
// without the site is refused; a state published over MQTT arrives as a `state` event, the board as
// a `view` event; a command's transitions (PostgreSQL NOTIFY) arrive as `command` events; a sign-out,
// a disabled user or a site taken away ends the stream.
import { randomBytes } from "node:crypto";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { transition } from "#lib/adapters/db/commands-transitions.ts";
import { ensureQuestSchema } from "#lib/adapters/questdb/schema.ts";
import { asMachineKey } from "#lib/contract/identity.ts";
import { telemetryTopic } from "#lib/contract/topics.ts";
import type { Principal } from "#lib/domain/auth/policy.ts";
import { createUser, SESSION_COOKIE, signIn, signOut } from "#lib/features/auth/sessions.ts";
import { requestCommand } from "#lib/features/commands/store.ts";
import { loginThrottle } from "#lib/features/dashboard/context.ts";
import { GET as commandStreamGET } from "../../app/api/v1/machines/[enterprise]/[site]/[area]/[line]/[machine]/commands/stream/route.ts";
import { GET as plantStreamGET } from "../../app/api/v1/sites/[enterprise]/[site]/stream/route.ts";
import { collect, eventsNamed } from "../support/sse.ts";
import { seedTestPlant, testPlant } from "../support/stack.ts";

const env = inject("stack");
const ent = `live${randomBytes(3).toString("hex")}`;
const plant = testPlant(ent, 2);
const s = plant.sites[0]!;
const line = s.areas[0]!.lines[0]!;
const site = `${ent}/${s.slug}`;
const machine = (i: number) => `${site}/${s.areas[0]!.slug}/${line.slug}/${line.machines[i]!.slug}`;
const prisma = prismaFor(env.DATABASE_URL);
const streams: AbortController[] = [];
let pub: mqtt.MqttClient;

/** A signed-in user's cookie (the user has `sites`). */
async function cookieOf(username: string, sites: string[]) {
  const password = await createUser(prisma, { username, role: "PLANT_MANAGER", sites });
  const r = await signIn(prisma, loginThrottle(), username, password, "10.0.0.9");
  if (!r) throw new Error("sign-in failed");
  return { cookie: `${SESSION_COOKIE}=${r.token}`, token: r.token, principal: r.principal };
}

/** Calls a stream route as a browser would; collects the body's text until it ends. */
async function open(get: (req: Request) => Promise<Response>, path: string, cookie: string) {
  const abort = new AbortController();
  streams.push(abort);
  const res = await get(new Request(`http://127.0.0.1${path}`, { headers: { cookie }, signal: abort.signal }));
  const state = res.ok && res.body ? collect(res.body) : { text: "", ended: true };
  return { res, state };
}

const events = eventsNamed;

beforeAll(async () => {
  // the dashboard's configuration (lib/platform/config.ts reads it once, at the first use)
  Object.assign(process.env, { ...env, QUEUE_PREFIX: `{andon-${ent}}`, LOG_LEVEL: "warn" });
  await ensureQuestSchema(env.QUESTDB_HTTP_URL);
  await seedTestPlant(env.DATABASE_URL, plant);
  pub = await mqtt.connectAsync(env.MQTT_URL, { protocolVersion: 5 });
});

afterAll(async () => {
  for (const a of streams) a.abort();
  await pub.endAsync();
});

describe("the plant board's stream", () => {
  const path = `/api/v1/sites/${site}/stream`;

  it("is refused to a user without the site; for one with it, a state published over MQTT arrives as an event", { timeout: 60_000 }, async () => {
    const outsider = await cookieOf(`live.out.${ent}`, [`${ent}/elsewhere`]);
    const refused = await open(plantStreamGET, path, outsider.cookie);
    expect(refused.res.status).toBe(403);

    const pm = await cookieOf(`live.pm.${ent}`, [site]);
    const stream = await open(plantStreamGET, path, pm.cookie);
    expect(stream.res.status).toBe(200);
    expect(stream.res.headers.get("content-type")).toBe("text/event-stream");
    await expect.poll(() => stream.state.text).toContain(`: andon plant ${site}`);
    // `ready`: the web process's subscription is in place, so one message published now must arrive
    await expect.poll(() => events(stream.state.text, "ready").length, { timeout: 20_000 }).toBe(1);
    const ts = Date.now();
    const state = { v: 1, ts, state: "equipment_failure", reason: "motor trip" };
    await pub.publishAsync(telemetryTopic(asMachineKey(machine(0)), "state"), JSON.stringify(state), { qos: 1 });
    await expect.poll(() => events(stream.state.text, "state").length, { timeout: 10_000 }).toBe(1);
    expect(events(stream.state.text, "state")[0]).toEqual({
      machine: machine(0),
      state: "equipment_failure",
      since: ts,
      loss: "BREAKDOWN",
      reason: "motor trip",
    });
    // another site's machine, and a payload that is not a valid state, send nothing
    await pub.publishAsync(telemetryTopic(asMachineKey(`${ent}/other/a/l/m`), "state"), JSON.stringify(state), { qos: 1 });
    await pub.publishAsync(telemetryTopic(asMachineKey(machine(1)), "state"), JSON.stringify({ v: 1, ts, state: "flying" }), { qos: 1 });
    // the whole board comes every 5 s, as GET .../shift answers it
    await expect.poll(() => events(stream.state.text, "view").length, { timeout: 15_000 }).toBeGreaterThan(0);
    const view = events(stream.state.text, "view")[0] as { site: { key: string }; machines: { key: string }[] };
    expect(view.site.key).toBe(site);
    expect(view.machines.map((m) => m.key)).toEqual(expect.arrayContaining([machine(0), machine(1)]));
    expect(view.machines.every((m) => m.key.startsWith(`${site}/`))).toBe(true);
    // (sent before the view came): only the valid state of this site's machine was an event
    expect(new Set(events(stream.state.text, "state").map((e) => e.machine))).toEqual(new Set([machine(0)]));
  });

  it("ends when the session signs out, and when the user no longer has the site", { timeout: 60_000 }, async () => {
    const a = await cookieOf(`live.a.${ent}`, [site]);
    const first = await open(plantStreamGET, path, a.cookie);
    await expect.poll(() => first.state.text).toContain(": andon plant");
    await signOut(prisma, a.token);
    await expect.poll(() => first.state.ended, { timeout: 15_000 }).toBe(true);
    expect(events(first.state.text, "end")).toEqual([{ reason: "signed out, expired or revoked" }]);

    const b = await cookieOf(`live.b.${ent}`, [site]);
    const second = await open(plantStreamGET, path, b.cookie);
    await expect.poll(() => second.state.text).toContain(": andon plant");
    await prisma.user.update({ where: { username: `live.b.${ent}` }, data: { sites: [`${ent}/elsewhere`] } });
    await expect.poll(() => second.state.ended, { timeout: 15_000 }).toBe(true);
    expect(events(second.state.text, "end")).toEqual([{ reason: "no longer allowed to follow this" }]);
  });
});

describe("the machine page's command stream", () => {
  const path = (i: number) => `/api/v1/machines/${machine(i)}/commands/stream`;
  const seeder: Principal = { kind: "user", id: "seed", name: "seed", displayName: "Seed", role: "ADMIN", sites: "all" };

  it("is refused to a user without the site; a command's transitions arrive as events until the user is disabled", { timeout: 60_000 }, async () => {
    const outsider = await cookieOf(`live.cout.${ent}`, [`${ent}/elsewhere`]);
    expect((await open(commandStreamGET, path(0), outsider.cookie)).res.status).toBe(403);

    const pm = await cookieOf(`live.cpm.${ent}`, [site]);
    const stream = await open(commandStreamGET, path(0), pm.cookie);
    expect(stream.res.status).toBe(200);
    await expect.poll(() => stream.state.text).toContain(`: andon commands ${machine(0)}`);
    // `ready`: the web process LISTENs, so the one command queued now must arrive
    await expect.poll(() => events(stream.state.text, "ready").length, { timeout: 20_000 }).toBe(1);
    const id = (await requestCommand(prisma, seeder, { machine: machine(0), type: "request_inspection", params: { note: "live" } })).command.id;
    await expect.poll(() => events(stream.state.text, "command").length, { timeout: 10_000 }).toBe(1);
    expect(events(stream.state.text, "command")[0]).toMatchObject({ id, machineKey: machine(0), status: "QUEUED" });
    // another machine's command is not this page's business
    const other = (await requestCommand(prisma, seeder, { machine: machine(1), type: "request_inspection", params: { note: "other" } })).command.id;
    await transition(prisma, id, "cancel", { actor: "test", reason: "cancelled by test" });
    await expect.poll(() => events(stream.state.text, "command").filter((c) => c.id === id && c.status === "CANCELLED").length).toBe(1);
    const cancelled = events(stream.state.text, "command").find((c) => c.status === "CANCELLED") as { events: { to: string }[] };
    expect(cancelled.events.map((e) => e.to)).toEqual(["CREATED", "QUEUED", "CANCELLED"]);
    expect(events(stream.state.text, "command").some((c) => c.id === other)).toBe(false);

    await prisma.user.update({ where: { username: `live.cpm.${ent}` }, data: { disabledAt: new Date() } });
    await expect.poll(() => stream.state.ended, { timeout: 15_000 }).toBe(true);
    expect(stream.state.text).toContain("event: end");
  });
});

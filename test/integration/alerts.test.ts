// The alert lifecycle against a real PostgreSQL and Mosquitto: de-duplication per machine and
// cause, escalation, auto-clear after a quiet period (of producing time), flapping reopens instead of new alerts, and
// every change published on the site's MQTT alerts topic.

import { randomBytes } from "node:crypto";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { alertsTopic } from "#lib/contract/topics.ts";
import { AlertError, acknowledgeAlert, autoClear, raiseAlert, resolveAlert } from "#lib/features/pdm/alerts.ts";
import { seedTestPlant, testPlant } from "../support/stack.ts";

const env = inject("stack");
const ent = `ta${randomBytes(3).toString("hex")}`;
const plant = testPlant(ent, 2);
const site = plant.sites[0]!;
const area = site.areas[0]!;
const line = area.lines[0]!;
const machineKey = `${ent}/${site.slug}/${area.slug}/${line.slug}/${line.machines[0]!.slug}`;
const prisma = prismaFor(env.DATABASE_URL);
const messages: { change: string; status: string; flaps: number }[] = [];
let client: mqtt.MqttClient;
const T = Date.parse("2026-11-25T08:00:00Z");
const signal = (at: number, severity: "WARNING" | "CRITICAL" = "WARNING", value = 3.1) => ({
  machineKey,
  feature: "velocity_rms_mm_s",
  cause: "zone:velocity_rms_mm_s",
  severity,
  value,
  baseline: 1.2,
  zone: severity === "CRITICAL" ? "D" : "C",
  explanation: `velocity RMS ${value} mm/s is in ISO 10816-3 zone ${severity === "CRITICAL" ? "D" : "C"}`,
  suggestedAction: "plan an inspection of the drive-end bearing",
  detectorVersion: "iso10816-3",
  at,
});

beforeAll(async () => {
  await seedTestPlant(env.DATABASE_URL, plant);
  client = await mqtt.connectAsync(env.MQTT_URL, { protocolVersion: 5 });
  client.on("message", (_t, p) => messages.push(JSON.parse(p.toString())));
  await client.subscribeAsync(alertsTopic({ enterprise: ent, site: site.slug }), { qos: 1 });
});
afterAll(async () => {
  await client?.endAsync();
});

const deps = () => ({
  prisma,
  flapWindowMs: 10 * 60_000,
  publish: async (topic: string, payload: string) => {
    await client.publishAsync(topic, payload, { qos: 1 });
  },
});

describe("alert lifecycle", () => {
  it("one alert per machine and cause, escalated, auto-cleared, reopened when it flaps, new after the flap window", async () => {
    const a = await raiseAlert(deps(), signal(T));
    expect(a.change).toBe("opened");
    const b = await raiseAlert(deps(), signal(T + 60_000, "WARNING", 3.3));
    expect(b).toMatchObject({ change: "updated", alert: { id: a.alert.id, value: 3.3 } });
    const c = await raiseAlert(deps(), signal(T + 120_000, "CRITICAL", 4.8));
    expect(c).toMatchObject({ change: "escalated", alert: { id: a.alert.id, severity: "CRITICAL", zone: "D" } });
    // the same condition raised twice at once still leaves one active alert (the database enforces it)
    await Promise.allSettled([raiseAlert(deps(), signal(T + 130_000, "CRITICAL")), raiseAlert(deps(), signal(T + 130_000, "CRITICAL"))]);
    expect(await prisma.alert.count({ where: { machineKey, status: { in: ["OPEN", "ACKNOWLEDGED"] } } })).toBe(1);

    expect(await autoClear(deps(), T + 120_000 + 29 * 60_000, 30 * 60_000)).toBe(0);
    expect(await autoClear(deps(), T + 130_000 + 31 * 60_000, 30 * 60_000)).toBe(1);
    const cleared = await prisma.alert.findUniqueOrThrow({ where: { id: a.alert.id } });
    expect(cleared.status).toBe("CLEARED");

    // back 5 minutes after clearing: the same alert reopens (flap), no new one
    const clearedAt = cleared.clearedAt!.getTime();
    const d = await raiseAlert(deps(), signal(clearedAt + 5 * 60_000));
    expect(d).toMatchObject({ change: "reopened", alert: { id: a.alert.id, flaps: 1, status: "OPEN", severity: "CRITICAL" } });
    await autoClear(deps(), clearedAt + 5 * 60_000 + 31 * 60_000, 30 * 60_000);
    // back an hour later: a new alert
    const e = await raiseAlert(deps(), signal(clearedAt + 5 * 60_000 + 31 * 60_000 + 60 * 60_000));
    expect(e.change).toBe("opened");
    expect(e.alert.id).not.toBe(a.alert.id);
    // a brand-new condition raised twice at once: one alert, both calls succeed
    const other = { ...signal(e.alert.onsetAt.getTime()), cause: "drift:kurtosis", feature: "kurtosis" };
    const both = await Promise.all([raiseAlert(deps(), other), raiseAlert(deps(), other)]);
    expect(new Set(both.map((x) => x.alert.id)).size).toBe(1);
    await expect.poll(() => messages.map((m) => m.change)).toEqual(["opened", "escalated", "cleared", "reopened", "cleared", "opened", "opened"]);
  });

  it("acknowledged and resolved by people, with their names, notes and an audit trail; other sites refused", async () => {
    const active = await prisma.alert.findFirstOrThrow({ where: { machineKey, status: "OPEN", cause: "zone:velocity_rms_mm_s" } });
    const tech = { name: "tech.dresden", origin: "10.1.2.3", sites: [`${ent}/${site.slug}`] };
    await expect(acknowledgeAlert(deps(), { name: "tech.pune", sites: [`${ent}/pune`] }, active.id)).rejects.toBeInstanceOf(AlertError);
    const acked = await acknowledgeAlert(deps(), tech, active.id);
    expect(acked).toMatchObject({ status: "ACKNOWLEDGED", acknowledgedBy: "tech.dresden" });
    await expect(acknowledgeAlert(deps(), tech, active.id)).rejects.toThrow(/acknowledged, not open/);
    await expect(resolveAlert(deps(), tech, active.id, "  ")).rejects.toThrow(/say what was found/);
    const done = await resolveAlert(deps(), tech, active.id, "bearing replaced");
    expect(done).toMatchObject({ status: "RESOLVED", resolvedBy: "tech.dresden", resolveNote: "bearing replaced" });
    const audit = await prisma.auditLog.findMany({ where: { subject: machineKey }, orderBy: { id: "asc" } });
    expect(audit.map((x) => x.action)).toEqual(["alert.acknowledged", "alert.resolved"]);
    expect(audit[0]).toMatchObject({ actor: "tech.dresden", origin: "10.1.2.3" });
    await expect.poll(() => messages.slice(-2).map((m) => `${m.change}:${m.status}`)).toEqual(["acknowledged:ACKNOWLEDGED", "resolved:RESOLVED"]);
  });

  it("auto-clears by the machine's producing time: a stopped machine keeps its alert", async () => {
    const other = `${ent}/${site.slug}/${area.slug}/${line.slug}/${line.machines[1]!.slug}`;
    const opened = await raiseAlert(deps(), { ...signal(T), machineKey: other });
    const asked: number[] = [];
    const produced = (ms: number) => async (key: string, since: number) => {
      expect(key).toBe(other);
      asked.push(since);
      return ms;
    };
    // two hours later by the clock, but the machine produced 20 minutes of it: still open
    expect(await autoClear(deps(), T + 2 * 3_600_000, 30 * 60_000, [other], produced(20 * 60_000))).toBe(0);
    expect(asked).toEqual([T]); // asked from the time the condition was last seen
    expect(await prisma.alert.findUniqueOrThrow({ where: { id: opened.alert.id } })).toMatchObject({ status: "OPEN" });
    expect(await autoClear(deps(), T + 3 * 3_600_000, 30 * 60_000, [other], produced(30 * 60_000))).toBe(1);
    expect(await prisma.alert.findUniqueOrThrow({ where: { id: opened.alert.id } })).toMatchObject({ status: "CLEARED" });
  });
});

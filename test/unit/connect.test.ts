// "Connect a machine": every example message is valid by the contract, and each mosquitto_pub line,
// run by a real shell, hands mosquitto_pub the topic and a message that parses (with the current time).
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { exampleMessage } from "#lib/contract/examples.ts";
import { parsePayload } from "#lib/contract/payloads.ts";
import { TELEMETRY_CHANNELS } from "#lib/contract/topics.ts";
import { type ConnectConfig, connectGuide } from "#lib/features/admin/connect.ts";
import { testMachine } from "../support/machine.ts";

const machine = testMachine({
  slug: "cnc-01",
  name: "CNC",
  idealCycleTimeS: 2,
  vibrationGroup: "GROUP_2",
  foundation: "RIGID",
  nominalSpeedRpm: 1500,
  hasWaveformSensor: false,
});
const cfg: ConnectConfig = {
  MQTT_URL: "mqtt://127.0.0.1:1883",
  MQTT_USERNAME: undefined,
  ANDON_TOPOLOGY: "single",
  ANDON_HOME: "/srv/andon",
  BROKER_BIND_HOST: "0.0.0.0",
  BROKER_CENTRAL_HOST: "andon.example.com",
  BROKER_SITE_PORTS_FROM: 8884,
  BROKER_CLIENT_AUTH: "password",
};
const enc = new TextEncoder();

/** What the shell passes to mosquitto_pub: the line run with a stand-in that prints its arguments as JSON. */
function argsOf(command: string): string[] {
  const script = `mosquitto_pub() { node -e 'console.log(JSON.stringify(process.argv.slice(1)))' -- "$@"; }\n${command}`;
  return JSON.parse(execFileSync("sh", ["-c", script], { encoding: "utf8" })) as string[];
}

describe("connect a machine", () => {
  it("has a valid example message for every telemetry channel", () => {
    for (const channel of TELEMETRY_CHANNELS) {
      const r = parsePayload(channel, enc.encode(exampleMessage(channel, '"2026-12-04T08:00:00.000Z"')));
      expect(r, channel).toMatchObject({ ok: true });
    }
  });

  it("gives a mosquitto_pub line per channel that sends the example to the machine's topic with the current time", () => {
    const g = connectGuide(cfg, machine, [machine.path]);
    expect(g.publish.map((p) => p.topic)).toEqual(TELEMETRY_CHANNELS.map((c) => `acme/dresden/machining/line-1/cnc-01/${c}`));
    for (const p of g.publish) {
      const args = argsOf(p.command);
      expect(args.slice(0, 8)).toEqual(["-h", "127.0.0.1", "-p", "1883", "-V", "mqttv5", "-q", "1"]);
      expect(args[args.indexOf("-t") + 1]).toBe(p.topic);
      const message = args[args.indexOf("-m") + 1] as string;
      const parsed = parsePayload(p.channel, enc.encode(message));
      expect(parsed, message).toMatchObject({ ok: true });
      const ts = (JSON.parse(message) as { ts: string }).ts;
      expect(Math.abs(Date.parse(ts) - Date.now())).toBeLessThan(60_000);
    }
    expect(g.broker.login.username).toBeNull();
    expect(g.broker.login.text).toContain("127.0.0.1 only");
  });

  it("in the multi-site topology points at the site's factory broker with TLS and its gateway account", () => {
    const other = { ...machine.path, site: "pune", machine: "filler-01" };
    const g = connectGuide({ ...cfg, ANDON_TOPOLOGY: "multi-site" }, machine, [other, machine.path]);
    // sites in key order: dresden is the first factory broker
    expect(g.broker).toMatchObject({ host: "andon.example.com", port: 8884, tls: true, caFile: "/srv/andon/brokers/ca.crt" });
    expect(g.broker.login.username).toBe("gateway.acme.dresden");
    const args = argsOf(g.publish[0]?.command as string);
    expect(args).toEqual(expect.arrayContaining(["--cafile", "/srv/andon/brokers/ca.crt", "-u", "gateway.acme.dresden", "-P", ""]));
  });

  it("with the machine's own account (made on the page) logs in as that account, not the site's gateway", () => {
    const device = { username: "gateway.acme.dresden.machining.line-1.cnc-01", createdBy: "admin", createdAt: new Date("2026-12-05T04:00:00Z") };
    const g = connectGuide({ ...cfg, ANDON_TOPOLOGY: "multi-site" }, machine, [machine.path], device);
    expect(g.broker.login.username).toBe(device.username);
    expect(g.broker.login.text).toContain("its own account gateway.acme.dresden.machining.line-1.cnc-01 (made by admin on 2026-12-05T04:00 UTC");
    expect(argsOf(g.publish[0]?.command as string)).toEqual(expect.arrayContaining(["-u", device.username]));
  });
});

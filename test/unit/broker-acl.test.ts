// The generated accounts and ACLs (lib/features/broker/acl.ts): who may publish and read what, checked with MQTT's own
// topic matching so the test does not depend on the text layout. The integration test (multi-site.test.ts)
// checks that Mosquitto enforces the same.

import { describe, expect, it } from "vitest";
import type { MachinePath } from "#lib/contract/identity.ts";
import { asSiteKey } from "#lib/contract/identity.ts";
import { type Account, accountsOn, aclText, CENTRAL, planAccounts, SERVICE_USERS } from "#lib/features/broker/acl.ts";
import { bridgeText, mosquittoConfText } from "#lib/features/broker/mosquitto-conf.ts";

const m = (site: string, machine: string, enterprise = "acme"): MachinePath => ({ enterprise, site, area: "machining", line: "line-1", machine });
const machines = [m("dresden", "cnc-01"), m("dresden", "cnc-02"), m("pune", "filler-01")];

/** MQTT topic-filter matching (`+` one level, `#` the rest). */
function matches(filter: string, topic: string): boolean {
  const f = filter.split("/");
  const t = topic.split("/");
  for (let i = 0; i < f.length; i++) {
    if (f[i] === "#") return true;
    if (i >= t.length || (f[i] !== "+" && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}
const may = (a: Account, access: "read" | "write", topic: string) => a.grants.some((g) => g.access === access && matches(g.topic, topic));
const account = (accounts: Account[], username: string) => {
  const a = accounts.find((x) => x.username === username);
  if (!a) throw new Error(`no account ${username}`);
  return a;
};

describe("broker accounts from the asset model", () => {
  const site = planAccounts(machines, "site");

  it("has one gateway per site on its factory broker, one bridge per site and the four service accounts on the central broker", () => {
    expect(site.sites.map((s) => s.key)).toEqual(["acme/dresden", "acme/pune"]);
    expect(accountsOn(site, asSiteKey("acme/dresden")).map((a) => a.username)).toEqual(["gateway.acme.dresden"]);
    expect(accountsOn(site, CENTRAL).map((a) => a.username)).toEqual([
      "bridge.acme.dresden",
      "bridge.acme.pune",
      SERVICE_USERS.ingest,
      SERVICE_USERS.command,
      SERVICE_USERS.dashboard,
      SERVICE_USERS.pdm,
    ]);
  });

  it.each([
    // [account, access, topic, allowed]
    ["gateway.acme.dresden", "write", "acme/dresden/machining/line-1/cnc-01/state", true],
    ["gateway.acme.dresden", "write", "acme/dresden/machining/line-1/cnc-01/waveform", true],
    ["gateway.acme.dresden", "write", "acme/pune/machining/line-1/filler-01/state", false],
    ["gateway.acme.dresden", "write", "acme/dresden/machining/line-1/cnc-01/command", false],
    ["gateway.acme.dresden", "write", "acme/dresden/machining/line-1/cnc-01/command/response", true],
    ["gateway.acme.dresden", "write", "acme/dresden/alerts", false],
    ["gateway.acme.dresden", "read", "acme/dresden/machining/line-1/cnc-01/command", true],
    ["gateway.acme.dresden", "read", "acme/pune/machining/line-1/filler-01/command", false],
    ["gateway.acme.dresden", "read", "acme/dresden/machining/line-1/cnc-01/state", false],
    // the United Manufacturing Hub's data model for the same machines (docs/mqtt.md)
    ["gateway.acme.dresden", "write", "umh/v1/acme/dresden/machining/line-1/cnc-01/_historian/head/pos", true],
    ["gateway.acme.dresden", "write", "umh/v1/acme/dresden/machining/line-1/cnc-01/e5f484a1791d/_analytics/state/add", true],
    ["gateway.acme.dresden", "write", "umh/v1/acme/pune/machining/line-1/filler-01/_historian/temperature", false],
    ["gateway.acme.dresden", "write", "umh/v1/acme/dresden/machining/line-1/cnc-01/_local/x", false],
    ["gateway.acme.dresden", "read", "umh/v1/acme/dresden/machining/line-1/cnc-01/_historian/temperature", false],
    ["bridge.acme.dresden", "write", "umh/v1/acme/dresden/machining/line-1/cnc-01/_analytics/product/add", true],
    ["bridge.acme.dresden", "write", "umh/v1/acme/pune/machining/line-1/filler-01/_analytics/product/add", false],
    [SERVICE_USERS.ingest, "read", "umh/v1/acme/pune/machining/line-1/filler-01/_historian/a/b/c", true],
    [SERVICE_USERS.ingest, "write", "umh/v1/acme/pune/machining/line-1/filler-01/_historian/a", false],
    ["bridge.acme.dresden", "write", "acme/dresden/machining/line-1/cnc-01/counts", true],
    ["bridge.acme.dresden", "write", "acme/pune/machining/line-1/filler-01/counts", false],
    ["bridge.acme.dresden", "read", "acme/dresden/machining/line-1/cnc-01/command", true],
    ["bridge.acme.dresden", "read", "acme/pune/machining/line-1/filler-01/command", false],
    ["bridge.acme.dresden", "read", "acme/dresden/alerts", true],
    ["bridge.acme.dresden", "read", "acme/pune/alerts", false],
    [SERVICE_USERS.ingest, "read", "acme/pune/machining/line-1/filler-01/metrics", true],
    [SERVICE_USERS.ingest, "read", "acme/pune/machining/line-1/filler-01/command", false],
    [SERVICE_USERS.ingest, "write", "acme/pune/machining/line-1/filler-01/state", false],
    [SERVICE_USERS.ingest, "read", "other/pune/machining/line-1/filler-01/state", false],
    [SERVICE_USERS.command, "write", "acme/pune/machining/line-1/filler-01/command", true],
    [SERVICE_USERS.command, "read", "acme/pune/machining/line-1/filler-01/command/response", true],
    [SERVICE_USERS.command, "write", "acme/pune/machining/line-1/filler-01/state", false],
    [SERVICE_USERS.command, "read", "acme/pune/bridge/state", true],
    ["bridge.acme.dresden", "write", "acme/dresden/bridge/state", true],
    ["bridge.acme.dresden", "write", "acme/pune/bridge/state", false],
    [SERVICE_USERS.command, "read", "acme/pune/machining/line-1/filler-01/state", false],
    [SERVICE_USERS.dashboard, "read", "acme/pune/alerts", true],
    [SERVICE_USERS.dashboard, "write", "acme/pune/alerts", true],
    [SERVICE_USERS.dashboard, "write", "acme/pune/machining/line-1/filler-01/state", false],
    [SERVICE_USERS.dashboard, "write", "acme/pune/machining/line-1/filler-01/command", false],
    [SERVICE_USERS.dashboard, "read", "acme/pune/machining/line-1/filler-01/state", true], // the plant board's live states
    [SERVICE_USERS.dashboard, "read", "acme/pune/machining/line-1/filler-01/counts", false],
    [SERVICE_USERS.dashboard, "read", "acme/pune/machining/line-1/filler-01/command/response", false],
    [SERVICE_USERS.pdm, "write", "acme/pune/alerts", true],
    [SERVICE_USERS.pdm, "read", "acme/pune/alerts", false],
    [SERVICE_USERS.pdm, "write", "acme/pune/machining/line-1/filler-01/command", false],
  ] as const)("%s may %s %s: %s", (username, access, topic, allowed) => {
    expect(may(account(site.accounts, username), access, topic)).toBe(allowed);
  });

  it("per-machine gateways reach only their own machine", () => {
    const plan = planAccounts(machines, "machine");
    const gw = account(plan.accounts, "gateway.acme.dresden.machining.line-1.cnc-01");
    expect(gw.broker).toBe(asSiteKey("acme/dresden"));
    expect(may(gw, "write", "acme/dresden/machining/line-1/cnc-01/vibration")).toBe(true);
    expect(may(gw, "write", "acme/dresden/machining/line-1/cnc-02/vibration")).toBe(false);
    expect(may(gw, "read", "acme/dresden/machining/line-1/cnc-01/command")).toBe(true);
    expect(may(gw, "read", "acme/dresden/machining/line-1/cnc-02/command")).toBe(false);
    expect(may(gw, "write", "umh/v1/acme/dresden/machining/line-1/cnc-01/_historian/vibration/de")).toBe(true);
    expect(may(gw, "write", "umh/v1/acme/dresden/machining/line-1/cnc-02/_historian/vibration/de")).toBe(false);
    expect(accountsOn(plan, asSiteKey("acme/dresden"))).toHaveLength(2);
  });

  it("follows the asset model: a new site brings its gateway and bridge, a removed one takes them away", () => {
    const more = planAccounts([...machines, m("monterrey", "press-01")], "site").accounts.map((a) => a.username);
    expect(more).toContain("gateway.acme.monterrey");
    expect(more).toContain("bridge.acme.monterrey");
    const fewer = planAccounts(machines.slice(0, 2), "site").accounts.map((a) => a.username);
    expect(fewer).not.toContain("gateway.acme.pune");
    expect(fewer).not.toContain("bridge.acme.pune");
  });

  it("writes Mosquitto ACL blocks, one topic line per filter, read and write merged", () => {
    const text = aclText(accountsOn(site, CENTRAL));
    expect(text).toContain("user andon-dashboard\ntopic readwrite acme/+/alerts\ntopic read acme/+/+/+/+/state\n");
    expect(text).toContain("user andon-pdm\ntopic write acme/+/alerts\n");
    expect(text).not.toMatch(/^pattern/m); // no broad patterns
    // no multi-level wildcards, except below a UMH schema level (UMH tag groups have any depth)
    expect(
      text.split("\n").filter((l) => l.startsWith("topic ") && l.includes("#") && !/^topic \w+ umh\/v1\/[^#]*\/_(historian|analytics)\/#$/.test(l)),
    ).toEqual([]);
  });

  it("bridges each site's own subtree: telemetry and responses out, commands and alerts in, QoS 1, persistent, MQTT 5", () => {
    const text = bridgeText({ site: site.sites[0]!, remoteHost: "central.example", remotePort: 8883, cafile: "/ca.crt", auth: { password: "x" } });
    const topics = text.split("\n").filter((l) => l.startsWith("topic "));
    expect(topics).toEqual([
      "topic acme/dresden/+/+/+/state out 1",
      "topic acme/dresden/+/+/+/counts out 1",
      "topic acme/dresden/+/+/+/vibration out 1",
      "topic acme/dresden/+/+/+/waveform out 1",
      "topic acme/dresden/+/+/+/metrics out 1",
      "topic umh/v1/acme/dresden/+/+/+/_historian/# out 1",
      "topic umh/v1/acme/dresden/+/+/+/_analytics/# out 1",
      "topic umh/v1/acme/dresden/+/+/+/+/_historian/# out 1",
      "topic umh/v1/acme/dresden/+/+/+/+/_analytics/# out 1",
      "topic acme/dresden/+/+/+/command/response out 1",
      "topic acme/dresden/+/+/+/command in 1",
      "topic acme/dresden/alerts in 1",
    ]);
    expect(text).toMatch(/^bridge_protocol_version mqttv50$/m);
    expect(text).toMatch(/^cleansession false$/m);
    expect(text).toMatch(/^remote_username bridge\.acme\.dresden$/m);
    expect(text).toMatch(/^bridge_cafile \/ca\.crt$/m);
    expect(text).toMatch(/^notification_topic acme\/dresden\/bridge\/state$/m);
  });

  it("locks the listener down: TLS, no anonymous access, password file or certificate identity", () => {
    const listener = { host: "0.0.0.0", port: 8883, tls: { cafile: "/c", certfile: "/s", keyfile: "/k" } };
    const pw = mosquittoConfText({ listener: { ...listener, clientAuth: "password" }, dir: "/b", maxQueuedMessages: 1000 });
    expect(pw).toMatch(/^allow_anonymous false$/m);
    expect(pw).toMatch(/^password_file \/b\/passwd$/m);
    expect(pw).toMatch(/^certfile \/s$/m);
    expect(pw).not.toMatch(/allow_anonymous true/);
    const cert = mosquittoConfText({ listener: { ...listener, clientAuth: "certificate" }, dir: "/b", maxQueuedMessages: 1000 });
    expect(cert).toMatch(/^require_certificate true$/m);
    expect(cert).toMatch(/^use_identity_as_username true$/m);
    expect(cert).not.toMatch(/password_file/);
    expect(cert).not.toMatch(/crlfile/);
    const revoking = mosquittoConfText({
      listener: { ...listener, tls: { ...listener.tls, crlfile: "/crl" }, clientAuth: "certificate" },
      dir: "/b",
      maxQueuedMessages: 1000,
    });
    expect(revoking).toMatch(/^crlfile \/crl$/m);
  });
});

describe("Sparkplug B topics in the generated accounts (the admins' mapping says which edge node is whose)", () => {
  const ref = (group: string, edgeNode: string, device: string, machine: string, channel = "counts") => ({ group, edgeNode, device, machine, channel });
  const sp = {
    groups: ["plant"],
    hostId: "andon",
    mappings: [
      ref("plant", "gw1", "cnc-01", "acme/dresden/machining/line-1/cnc-01"),
      ref("plant", "gw1", "cnc-01", "acme/dresden/machining/line-1/cnc-01", "command"),
      ref("plant", "gw1", "cnc-02", "acme/dresden/machining/line-1/cnc-02"),
      ref("plant", "gw2", "", "acme/pune/machining/line-1/filler-01", "command"),
    ],
  };
  const site = planAccounts(machines, "site", new Set(), sp);
  const perMachine = planAccounts(machines, "machine", new Set(), sp);

  it.each([
    ["gateway.acme.dresden", "write", "spBv1.0/plant/NBIRTH/gw1", true],
    ["gateway.acme.dresden", "write", "spBv1.0/plant/NDATA/gw1", true],
    ["gateway.acme.dresden", "write", "spBv1.0/plant/NDEATH/gw1", true],
    ["gateway.acme.dresden", "write", "spBv1.0/plant/DBIRTH/gw1/cnc-01", true],
    ["gateway.acme.dresden", "write", "spBv1.0/plant/DDATA/gw1/cnc-02", true],
    ["gateway.acme.dresden", "write", "spBv1.0/plant/DDEATH/gw1/cnc-01", true],
    ["gateway.acme.dresden", "read", "spBv1.0/plant/NCMD/gw1", true],
    ["gateway.acme.dresden", "read", "spBv1.0/plant/DCMD/gw1/cnc-01", true],
    ["gateway.acme.dresden", "read", "spBv1.0/STATE/andon", true],
    ["gateway.acme.dresden", "write", "spBv1.0/STATE/andon", false],
    ["gateway.acme.dresden", "write", "spBv1.0/plant/NCMD/gw1", false],
    ["gateway.acme.dresden", "write", "spBv1.0/plant/DCMD/gw1/cnc-01", false],
    ["gateway.acme.dresden", "read", "spBv1.0/plant/DDATA/gw1/cnc-01", false],
    // another site's edge node, another group
    ["gateway.acme.dresden", "write", "spBv1.0/plant/NDATA/gw2", false],
    ["gateway.acme.dresden", "read", "spBv1.0/plant/NCMD/gw2", false],
    ["gateway.acme.dresden", "write", "spBv1.0/other/NDATA/gw1", false],
    ["gateway.acme.pune", "write", "spBv1.0/plant/NBIRTH/gw2", true],
    ["gateway.acme.pune", "write", "spBv1.0/plant/NBIRTH/gw1", false],
    ["bridge.acme.dresden", "write", "spBv1.0/plant/DDATA/gw1/cnc-01", true],
    ["bridge.acme.dresden", "read", "spBv1.0/plant/DCMD/gw1/cnc-01", true],
    ["bridge.acme.dresden", "read", "spBv1.0/STATE/andon", true],
    ["bridge.acme.dresden", "write", "spBv1.0/plant/DDATA/gw2/x", false],
    [SERVICE_USERS.ingest, "read", "spBv1.0/plant/DDATA/gw9/any", true],
    [SERVICE_USERS.ingest, "read", "spBv1.0/other/DDATA/gw1/cnc-01", false],
    [SERVICE_USERS.ingest, "write", "spBv1.0/plant/NCMD/gw1", true],
    [SERVICE_USERS.ingest, "write", "spBv1.0/plant/DCMD/gw1/cnc-01", false],
    [SERVICE_USERS.ingest, "write", "spBv1.0/STATE/andon", true],
    [SERVICE_USERS.ingest, "write", "spBv1.0/STATE/other-host", false],
    [SERVICE_USERS.ingest, "write", "spBv1.0/plant/NDATA/gw1", false],
    // the host answers a Sparkplug device's command for it: only machines with a command mapping
    [SERVICE_USERS.ingest, "write", "acme/dresden/machining/line-1/cnc-01/command/response", true],
    [SERVICE_USERS.ingest, "write", "acme/dresden/machining/line-1/cnc-02/command/response", false],
    [SERVICE_USERS.command, "write", "spBv1.0/plant/DCMD/gw1/cnc-01", true],
    [SERVICE_USERS.command, "write", "spBv1.0/plant/NCMD/gw2", true], // the edge node's own metric
    [SERVICE_USERS.command, "write", "spBv1.0/plant/DCMD/gw1/cnc-02", false], // no command mapped
    [SERVICE_USERS.command, "write", "spBv1.0/plant/NCMD/gw1", false],
    [SERVICE_USERS.dashboard, "read", "spBv1.0/plant/NDATA/gw1", false],
    [SERVICE_USERS.pdm, "write", "spBv1.0/plant/NCMD/gw1", false],
  ] as const)("%s may %s %s: %s", (username, access, topic, allowed) => {
    expect(may(account(site.accounts, username), access, topic)).toBe(allowed);
  });

  it("per-machine gateways: the edge nodes mapped to that machine", () => {
    const cnc1 = account(perMachine.accounts, "gateway.acme.dresden.machining.line-1.cnc-01");
    expect(may(cnc1, "write", "spBv1.0/plant/NBIRTH/gw1")).toBe(true);
    expect(may(cnc1, "write", "spBv1.0/plant/NBIRTH/gw2")).toBe(false);
    const filler = account(perMachine.accounts, "gateway.acme.pune.machining.line-1.filler-01");
    expect(may(filler, "write", "spBv1.0/plant/NBIRTH/gw2")).toBe(true);
    expect(may(filler, "read", "spBv1.0/plant/NCMD/gw1")).toBe(false);
  });

  it("grants nothing Sparkplug without a mapping and groups, and refuses ids an ACL line cannot carry", () => {
    const none = planAccounts(machines, "site", new Set(), { groups: [], hostId: "andon", mappings: [] });
    expect(none.accounts.flatMap((a) => a.grants).filter((g) => g.topic.startsWith("spBv1.0/"))).toEqual([]);
    expect(() => planAccounts(machines, "site", new Set(), { ...sp, mappings: [ref("plant", "gw 1", "", "acme/dresden/machining/line-1/cnc-01")] })).toThrow(
      /edge node "gw 1".*no white space/,
    );
  });

  it("bridges the site's edge nodes: births, data and deaths out, their commands and the host's STATE in", () => {
    const s = site.sites.find((x) => x.key === "acme/pune")!;
    const text = bridgeText({ site: s, remoteHost: "central.example", remotePort: 8883, cafile: "/ca.crt", auth: { password: "x" }, sparkplug: sp });
    expect(text.split("\n").filter((l) => l.includes("spBv1.0"))).toEqual([
      "topic spBv1.0/plant/NBIRTH/gw2 out 1",
      "topic spBv1.0/plant/NDATA/gw2 out 1",
      "topic spBv1.0/plant/NDEATH/gw2 out 1",
      "topic spBv1.0/plant/DBIRTH/gw2/+ out 1",
      "topic spBv1.0/plant/DDATA/gw2/+ out 1",
      "topic spBv1.0/plant/DDEATH/gw2/+ out 1",
      "topic spBv1.0/plant/NCMD/gw2 in 1",
      "topic spBv1.0/plant/DCMD/gw2/+ in 1",
      "topic spBv1.0/STATE/andon in 1",
    ]);
  });
});

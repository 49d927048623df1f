// The one way to name a machine, a line, an area and a site (lib/contract/identity.ts) and every
// topic built and parsed from those names (lib/contract/topics.ts).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  areaKey,
  asMachineKey,
  asSiteKey,
  lineKey,
  machineKey,
  parseAreaKey,
  parseLineKey,
  parseMachineKey,
  parseSiteKey,
  pathOf,
  siteKey,
  siteOf,
} from "#lib/contract/identity.ts";
import {
  alertsTopic,
  bridgeStateTopic,
  commandTopic,
  machineOfCommandTopic,
  parseTelemetryTopic,
  responseTopic,
  siteOfAlertsTopic,
  siteOfBridgeStateTopic,
  telemetryTopic,
} from "#lib/contract/topics.ts";

const level = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,12}$/);
const machinePath = fc.record({ enterprise: level, site: level, area: level, line: level, machine: level });

describe("identity", () => {
  it("a machine key parses back to its path; its site, line and area keys are its prefixes", () => {
    fc.assert(
      fc.property(machinePath, (p) => {
        const key = machineKey(p);
        const parsed = parseMachineKey(key);
        expect(parsed).toEqual({ ok: true, path: p, key });
        expect(pathOf(key)).toEqual(p);
        expect(siteOf(key)).toBe(siteKey(p));
        expect(key.startsWith(`${lineKey(p)}/`)).toBe(true);
        expect(lineKey(p).startsWith(`${areaKey(p)}/`)).toBe(true);
        expect(parseLineKey(lineKey(p))).toEqual({ enterprise: p.enterprise, site: p.site, area: p.area, line: p.line });
        expect(parseAreaKey(areaKey(p))).toEqual({ enterprise: p.enterprise, site: p.site, area: p.area });
        expect(parseSiteKey(siteKey(p))).toEqual({ enterprise: p.enterprise, site: p.site });
      }),
    );
  });

  it("refuses what is not a key, naming the level", () => {
    expect(parseMachineKey("acme/dresden/machining/line-1")).toMatchObject({ ok: false, reason: expect.stringContaining("5 levels") });
    expect(parseMachineKey("acme/Dresden/machining/line-1/cnc-01")).toMatchObject({ ok: false, reason: expect.stringContaining("site") });
    expect(parseMachineKey("acme/dresden/machining/line-1/")).toMatchObject({ ok: false, reason: expect.stringContaining("machine") });
    expect(() => asMachineKey("acme/dresden")).toThrow(/not a machine key/);
    expect(() => asSiteKey("acme/dresden/x")).toThrow(/not a site key/);
    expect(parseSiteKey("acme/+")).toBeUndefined();
    expect(parseLineKey("acme/dresden/machining")).toBeUndefined();
  });
});

describe("topics", () => {
  it("each topic built from a name parses back to that name, and to nothing else", () => {
    fc.assert(
      fc.property(machinePath, (p) => {
        const key = machineKey(p);
        const site = siteKey(p);
        expect(parseTelemetryTopic(telemetryTopic(p, "state"))).toEqual({ ok: true, path: p, channel: "state" });
        expect(machineOfCommandTopic(commandTopic(key))).toEqual({ key, response: false });
        expect(machineOfCommandTopic(responseTopic(p))).toEqual({ key, response: true });
        expect(siteOfAlertsTopic(alertsTopic(site))).toBe(site);
        expect(siteOfBridgeStateTopic(bridgeStateTopic(p))).toBe(site);
        expect(siteOfAlertsTopic(bridgeStateTopic(p))).toBeUndefined();
        expect(siteOfBridgeStateTopic(alertsTopic(p))).toBeUndefined();
        expect(machineOfCommandTopic(telemetryTopic(p, "counts"))).toBeUndefined();
      }),
    );
  });

  it("refuses wildcards and foreign levels in a parsed topic", () => {
    expect(siteOfAlertsTopic("+/dresden/alerts")).toBeUndefined();
    expect(siteOfBridgeStateTopic("acme/#/bridge/state")).toBeUndefined();
    expect(parseTelemetryTopic("acme/dresden/machining/line-1/cnc-01/status")).toMatchObject({ ok: false });
  });
});

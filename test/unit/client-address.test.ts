// The client address: X-Forwarded-For only behind a configured trusted proxy (TRUSTED_PROXIES).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { clientAddress, normalizeAddress, trustedProxies } from "#lib/features/dashboard/client-address.ts";
import { ConfigError, parseConfig, repoRoot } from "#lib/platform/config.ts";

describe("clientAddress", () => {
  const none = trustedProxies([]);
  const proxy = trustedProxies(parseConfig({ TRUSTED_PROXIES: "10.0.0.5, 192.168.0.0/16,::1" }).TRUSTED_PROXIES);

  it("without trusted proxies: the peer, whatever X-Forwarded-For says", () => {
    expect(clientAddress("203.0.113.9", "1.2.3.4", none)).toBe("203.0.113.9");
    expect(clientAddress("::ffff:127.0.0.1", "1.2.3.4", none)).toBe("127.0.0.1");
    expect(clientAddress(undefined, "1.2.3.4", none)).toBeUndefined();
    expect(clientAddress("not-an-ip", "1.2.3.4", none)).toBeUndefined();
  });

  it("a peer that is not a trusted proxy cannot choose its address", () => {
    expect(clientAddress("203.0.113.9", "10.0.0.5", proxy)).toBe("203.0.113.9");
  });

  it.each([
    // [peer, X-Forwarded-For, client]
    ["10.0.0.5", "198.51.100.7", "198.51.100.7"],
    ["::ffff:10.0.0.5", "198.51.100.7", "198.51.100.7"],
    // the client made up the left entry; the proxy appended the real peer it saw
    ["10.0.0.5", "6.6.6.6, 198.51.100.7", "198.51.100.7"],
    // two trusted proxies in a row
    ["10.0.0.5", "6.6.6.6, 198.51.100.7, 192.168.4.2", "198.51.100.7"],
    ["::1", "2001:db8::42", "2001:db8::42"],
    // nothing forwarded, or garbage from the chain: the proxy itself
    ["10.0.0.5", null, "10.0.0.5"],
    ["10.0.0.5", "", "10.0.0.5"],
    ["10.0.0.5", "6.6.6.6, <script>", "10.0.0.5"],
    // every hop trusted: the left-most
    ["10.0.0.5", "192.168.1.1, 10.0.0.5", "192.168.1.1"],
  ])("behind a trusted proxy %s, X-Forwarded-For %j -> %s", (peer, xff, want) => {
    expect(clientAddress(peer, xff, proxy)).toBe(want);
  });

  it("normalises addresses", () => {
    expect(normalizeAddress("[::1]")).toBe("::1");
    expect(normalizeAddress("::FFFF:10.1.2.3")).toBe("10.1.2.3");
    expect(normalizeAddress("2001:DB8::1")).toBe("2001:db8::1");
    expect(normalizeAddress("")).toBeUndefined();
  });
});

describe("TRUSTED_PROXIES", () => {
  it("defaults to none", () => {
    expect(parseConfig({}).TRUSTED_PROXIES).toEqual([]);
    expect(parseConfig({ TRUSTED_PROXIES: "" }).TRUSTED_PROXIES).toEqual([]);
  });

  it.each(["10.0.0.0/33", "proxy.local", "10.0.0.1/8/1", "::1/129", "10.0.0.256", "10.0.0.0/x"])("refuses %j naming the setting", (v) => {
    expect(() => parseConfig({ TRUSTED_PROXIES: v })).toThrow(ConfigError);
    expect(() => parseConfig({ TRUSTED_PROXIES: v })).toThrow(/TRUSTED_PROXIES: comma-separated IP addresses or CIDR blocks/);
  });
});

describe("the dashboard process", () => {
  it("stops at start with a message naming TRUSTED_PROXIES when it is broken, exit code 2", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", join(repoRoot, "workers", "web.ts"), "--port", "1"], {
      env: { ...process.env, TRUSTED_PROXIES: "10.0.0.0/40" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("TRUSTED_PROXIES: comma-separated IP addresses or CIDR blocks");
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });
});

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig, parseNode, repoRoot } from "#lib/platform/config.ts";

describe("configuration", () => {
  it("has working defaults without any setting", () => {
    const c = parseConfig({});
    expect(c.MQTT_URL).toBe("mqtt://127.0.0.1:1883");
    expect(c.INGEST_ENTERPRISE).toBe("+");
    expect(c.QUESTDB_PG_PASSWORD).toBeUndefined();
    // the ports of the QuestDB Andon runs itself: settings, QuestDB's own defaults
    expect([c.QUESTDB_ILP_PORT, c.QUESTDB_HEALTH_PORT, c.WEB_PORT, c.INGEST_METRICS_PORT, c.OEE_METRICS_PORT, c.SIM_METRICS_PORT]).toEqual([
      9009, 9003, 3000, 9464, 9466, 9465,
    ]);
  });

  it.each([
    ["MQTT_URL", "localhost:1883", /MQTT_URL: must be a URL with scheme mqtt:/],
    ["INGEST_RECEIVE_MAXIMUM", "70000", /INGEST_RECEIVE_MAXIMUM/],
    ["INGEST_BATCH_ROWS", "many", /INGEST_BATCH_ROWS/],
    ["MQTT_CA_FILE", "/nonexistent/ca.pem", /MQTT_CA_FILE: file does not exist/],
    ["INGEST_ENTERPRISE", "ACME", /INGEST_ENTERPRISE: an enterprise slug/],
    ["QUESTDB_VERSION", "latest", /QUESTDB_VERSION: must be a version/],
    ["ANDON_TOPOLOGY", "cluster", /ANDON_TOPOLOGY/],
    ["ANDON_BROKER", "emqx", /ANDON_BROKER/],
    ["BROKER_CLIENT_AUTH", "none", /BROKER_CLIENT_AUTH/],
    ["BROKER_GATEWAY_ACCOUNTS", "line", /BROKER_GATEWAY_ACCOUNTS/],
    ["BROKER_CENTRAL_PORT", "70000", /BROKER_CENTRAL_PORT/],
    ["QUESTDB_ILP_PORT", "0", /QUESTDB_ILP_PORT/],
    ["QUESTDB_HEALTH_PORT", "health", /QUESTDB_HEALTH_PORT/],
    ["BROKER_CENTRAL_HOST", "central host", /BROKER_CENTRAL_HOST: a host name or IP address/],
    ["SIM_SITES", "dresden", /SIM_SITES: comma-separated enterprise\/site keys/],
    ["REDIS_CLUSTER_NODES", "redis://10.0.0.5:7001", /REDIS_CLUSTER_NODES: comma-separated host:port seed nodes/],
    ["REDIS_CLUSTER_NODES", "10.0.0.5:7001,10.0.0.6", /REDIS_CLUSTER_NODES/],
    ["REDIS_CLUSTER_NODES", "10.0.0.5:70001", /REDIS_CLUSTER_NODES/],
    ["REDIS_CLUSTER_NODES", " , ", /REDIS_CLUSTER_NODES/],
  ])("names %s when it is broken", (key, value, message) => {
    expect(() => parseConfig({ [key]: value })).toThrow(ConfigError);
    expect(() => parseConfig({ [key]: value })).toThrow(message);
  });

  it("reads a Redis Cluster's seed nodes; without them, the single Redis of REDIS_URL", () => {
    expect(parseConfig({}).REDIS_CLUSTER_NODES).toBeUndefined();
    expect(parseConfig({ REDIS_CLUSTER_NODES: " 10.0.0.5:7001, redis-b.plant.local:7002 ,[::1]:7003" }).REDIS_CLUSTER_NODES).toEqual([
      "10.0.0.5:7001",
      "redis-b.plant.local:7002",
      "[::1]:7003",
    ]);
    expect(parseNode("[::1]:7003")).toEqual({ host: "::1", port: 7003 });
    expect(parseNode("redis-b.plant.local:7002")).toEqual({ host: "redis-b.plant.local", port: 7002 });
    expect(parseNode("10.0.0.5")).toBeUndefined();
  });

  it("stops a worker process at start with a message naming the setting, exit code 2", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", join(repoRoot, "workers", "ingest.ts")], {
      env: { ...process.env, MQTT_URL: "tcp://broker:1883" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("MQTT_URL: must be a URL with scheme mqtt://");
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // a message, not a stack trace
  });
});

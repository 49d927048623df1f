// `andon up --broker hivemq`: the whole stack on Andon's own HiveMQ CE instead of Mosquitto. It starts
// HiveMQ at MQTT_URL, the simulator's telemetry reaches QuestDB through it, and Ctrl-C stops it and frees
// its port. A broker already answering at MQTT_URL stops the start with a message naming the setting.
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMetric } from "#lib/adapters/http/metrics-server.ts";
import { ensureHiveMq } from "#lib/features/stack/hivemq.ts";
import { tcpOpen } from "#lib/features/stack/net.ts";
import { portProblems } from "#lib/features/stack/ports.ts";
import { ensureWebBuild } from "#lib/features/stack/web.ts";
import { config } from "#lib/platform/config.ts";
import { makeStack, removeStack, type Stack, stop, up } from "../support/andon-up.ts";

const stacks: Stack[] = [];

beforeAll(async () => {
  await ensureWebBuild(join(config().ANDON_HOME, "up-hivemq-web-build.log"));
  // the broker's jars are shared (not copied again per home), as the QuestDB jar is
  ensureHiveMq(config().ANDON_HOME);
  for (const name of ["hmq-a", "hmq-b"]) {
    const s = await makeStack(name, 0);
    mkdirSync(join(s.home, "hivemq"));
    symlinkSync(join(config().ANDON_HOME, "hivemq", "lib"), join(s.home, "hivemq", "lib"));
    stacks.push(s);
  }
}, 600_000);

afterAll(async () => {
  for (const s of stacks) await removeStack(s);
}, 120_000);

describe("andon up --broker hivemq", () => {
  it("runs the stack on HiveMQ CE, refuses a second broker on its port, and stops on SIGINT", { timeout: 600_000 }, async () => {
    const [a, b] = stacks as [Stack, Stack];
    await up(a, ["up", "--broker", "hivemq"]);
    const port = new URL(a.env.MQTT_URL as string).port;
    expect(a.out).toContain(`HiveMQ CE   127.0.0.1:${port} (started by Andon)`);
    expect(a.out).not.toContain("Mosquitto");
    // the simulator's telemetry goes through HiveMQ into QuestDB
    await expect
      .poll(() => readMetric(Number(a.env.INGEST_METRICS_PORT), "andon_ingest_rows_written_total"), { timeout: 120_000, interval: 2000 })
      .toBeGreaterThan(0);
    expect(await readMetric(Number(a.env.INGEST_METRICS_PORT), "andon_ingest_subscribed")).toBe(1);

    // another stack asking for HiveMQ where a broker answers already: exit 2, naming MQTT_URL, nothing left running
    b.env.MQTT_URL = a.env.MQTT_URL as string;
    const refused = await up(b, ["up", "--broker", "hivemq"]).then(
      () => "running",
      (e: Error) => e.message,
    );
    expect(refused).toMatch(/andon up exited with 2/);
    expect(refused).toMatch(/a broker already answers at 127\.0\.0\.1:\d+ \(MQTT_URL\)/);
    expect(await tcpOpen("127.0.0.1", Number(b.env.QUESTDB_HEALTH_PORT))).toBe(false);

    expect(await stop(a)).toBe(0);
    expect(a.out).toContain("[andon] stopped");
    expect(await portProblems(a.ports)).toEqual([]);
  });
});

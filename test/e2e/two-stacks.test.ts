// Two full stacks side by side on one machine: two `andon up`, each with its own ANDON_HOME, database and
// every port set (Redis, Mosquitto, QuestDB HTTP/PG/ILP/health, dashboard, metrics). Both come up (their
// own QuestDB, Redis and broker started by each), both ingest, both dashboards answer /api/health with
// their own supervised processes; SIGINT stops each and frees every one of its ports.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMetric } from "#lib/adapters/http/metrics-server.ts";
import { tcpOpen } from "#lib/features/stack/net.ts";
import { portProblems } from "#lib/features/stack/ports.ts";
import { ensureWebBuild } from "#lib/features/stack/web.ts";
import { config } from "#lib/platform/config.ts";
import { makeStack, removeStack, type Stack, stop, up } from "../support/andon-up.ts";

const stacks: Stack[] = [];

beforeAll(async () => {
  // one build for both dashboards (two `andon up` building at once would share .next)
  await ensureWebBuild(join(config().ANDON_HOME, "two-stacks-web-build.log"));
  stacks.push(await makeStack("stack-a", 0), await makeStack("stack-b", 0));
}, 600_000);

afterAll(async () => {
  for (const s of stacks) await removeStack(s);
}, 120_000);

describe("two stacks on one machine", () => {
  it("run side by side with every port set, then stop on SIGINT", { timeout: 600_000 }, async () => {
    const [a, b] = stacks as [Stack, Stack];
    await Promise.all([up(a), up(b)]);
    for (const s of [a, b]) console.log(`${s.name}: ${/Andon is running \(\d+ s\)/.exec(s.out)?.[0]}`);
    for (const s of [a, b]) {
      // each started its own services, none reused the other's
      expect(s.out, s.out).toContain(`starting QuestDB ${config().QUESTDB_VERSION} on 127.0.0.1:${new URL(s.env.QUESTDB_HTTP_URL as string).port}`);
      expect(s.out).toContain(`Redis       127.0.0.1:${new URL(s.env.REDIS_URL as string).port} (started by Andon)`);
      expect(s.out).toContain(`Mosquitto   127.0.0.1:${new URL(s.env.MQTT_URL as string).port} (started by Andon)`);
      expect(await tcpOpen("127.0.0.1", Number(s.env.QUESTDB_ILP_PORT))).toBe(true);
      expect(await tcpOpen("127.0.0.1", Number(s.env.QUESTDB_HEALTH_PORT))).toBe(true);
    }
    // both dashboards answer, each with the processes of its own supervisor
    for (const s of [a, b]) {
      const res = await fetch(`http://127.0.0.1:${s.env.WEB_PORT}/api/health`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { processes?: { name: string }[] };
      expect(body.processes?.map((p) => p.name).sort()).toEqual(["commands", "ingest", "oee", "pdm", "simulator", "web"]);
    }
    // both pipelines run: each ingest worker writes its own simulator's rows into its own QuestDB
    for (const s of [a, b]) {
      await expect
        .poll(() => readMetric(Number(s.env.INGEST_METRICS_PORT), "andon_ingest_rows_written_total"), { timeout: 120_000, interval: 2000 })
        .toBeGreaterThan(0);
    }
    // no history on either (SIM_HISTORY_DAYS=0; the first start's fill is test/e2e/first-start.test.ts)
    for (const s of [a, b]) expect(existsSync(join(s.home, "history.json"))).toBe(false);
    expect(await Promise.all([stop(a), stop(b)])).toEqual([0, 0]);
    for (const s of [a, b]) {
      expect(s.out).toContain("[andon] stopped");
      // everything it started is gone: each of its ports can be listened on again
      expect(await portProblems(s.ports)).toEqual([]);
    }
  });
});

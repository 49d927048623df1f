// A throw-away Redis Cluster for tests: `masters` redis-server processes in cluster mode on free
// loopback ports (data and nodes.conf in a temp dir, no persistence), joined by
// `redis-cli --cluster create` with no replicas, ready once every node says `cluster_state:ok`.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort, tcpOpen, waitFor } from "#lib/features/stack/net.ts";
import { type Managed, spawnManaged } from "#lib/features/stack/process.ts";

const run = promisify(execFile);

export interface RedisClusterForTest {
  /** `127.0.0.1:port` of each master */
  nodes: string[];
  stop(): Promise<void>;
}

async function cli(port: number, ...args: string[]): Promise<string> {
  return (await run("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...args], { timeout: 30_000 })).stdout;
}

export async function startRedisCluster(masters = 3): Promise<RedisClusterForTest> {
  const dir = mkdtempSync(join(tmpdir(), "andon-redis-cluster-"));
  const procs: Managed[] = [];
  const stop = async () => {
    for (const p of procs) await p.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const ports: number[] = [];
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      // the cluster bus on a port of its own (the default, port + 10000, may be past 65535)
      const busPort = await freePort();
      const nodeDir = join(dir, String(port));
      mkdirSync(nodeDir);
      procs.push(
        spawnManaged(
          `redis-cluster-${port}`,
          "redis-server",
          // biome-ignore format: one option per line pair
          [
            "--port", String(port), "--bind", "127.0.0.1", "--dir", nodeDir,
            "--cluster-enabled", "yes", "--cluster-config-file", join(nodeDir, "nodes.conf"), "--cluster-port", String(busPort),
            "--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction",
          ],
          { logFile: join(nodeDir, "redis.out") },
        ),
      );
      ports.push(port);
    }
    for (const port of ports) await waitFor(`Redis Cluster node ${port}`, () => tcpOpen("127.0.0.1", port), 15_000);
    const nodes = ports.map((p) => `127.0.0.1:${p}`);
    await run("redis-cli", ["--cluster", "create", ...nodes, "--cluster-replicas", "0", "--cluster-yes"], { timeout: 60_000 });
    await waitFor(
      "cluster_state:ok on every node",
      async () => (await Promise.all(ports.map((p) => cli(p, "cluster", "info")))).every((info) => info.includes("cluster_state:ok")),
      30_000,
    );
    return { nodes, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

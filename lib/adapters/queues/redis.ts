// The one place Andon opens Redis: a single server (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES,
// the seed nodes; ioredis finds the others and follows slot moves). BullMQ takes either client as its
// `connection`. On a cluster every key Andon writes must sit in one slot: BullMQ's Lua scripts touch
// several keys of a queue at once, and so do Andon's own scripts (sign-in counters). QUEUE_PREFIX is
// therefore a hash tag (`{andon}`): the BullMQ keys `{andon}:oee:...` and Andon's `{andon}:pdm:...`,
// `{andon}:login:...` all hash on "andon" and live on the master that owns that slot.
import { Cluster, Redis, type RedisOptions } from "ioredis";
import { parseNode } from "#lib/platform/config.ts";

export type RedisClient = Redis | Cluster;

export interface RedisSettings {
  REDIS_URL: string;
  /** `host:port` seed nodes of a Redis Cluster; when set, REDIS_URL gives only credentials and TLS. */
  REDIS_CLUSTER_NODES?: readonly string[] | undefined;
}

/** Credentials and TLS of REDIS_URL, for the cluster's nodes (a `rediss://` URL: TLS to every node). */
function urlOptions(url: string): RedisOptions {
  const u = new URL(url);
  return {
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === "rediss:" ? { tls: {} } : {}),
  };
}

/**
 * A Redis client for these settings, with these options (for BullMQ workers and queue events:
 * `maxRetriesPerRequest: null`). On a cluster the options apply to the connection to each node.
 */
export function redisConnection(cfg: RedisSettings, opts: RedisOptions = {}): RedisClient {
  const nodes = (cfg.REDIS_CLUSTER_NODES ?? []).map(parseNode).filter((n) => n !== undefined);
  if (!nodes.length) return new Redis(cfg.REDIS_URL, opts);
  return new Cluster(nodes, {
    redisOptions: { ...urlOptions(cfg.REDIS_URL), ...opts },
    // commands issued before the slot map is known wait for it, as they wait for a single server;
    // ioredis' default cluster retry strategy reconnects for ever, as a single-server client does
    enableOfflineQueue: opts.enableOfflineQueue ?? true,
  });
}

/**
 * Deletes every key that starts with `prefix` and returns how many went. A SCAN on a cluster client
 * would read one node only: each master is scanned (its keys are its own slots' keys).
 */
export async function deleteKeysUnder(redis: RedisClient, prefix: string): Promise<number> {
  const servers: Redis[] = redis instanceof Cluster ? redis.nodes("master") : [redis];
  let keys = 0;
  for (const server of servers) {
    for await (const batch of server.scanStream({ match: `${prefix}*`, count: 500 }) as AsyncIterable<string[]>) {
      if (!batch.length) continue;
      // on a cluster node one command may only name keys of one slot: one UNLINK per key, pipelined
      if (redis instanceof Cluster) {
        const replies = (await server.pipeline(batch.map((k) => ["unlink", k])).exec()) ?? [];
        for (const [err, n] of replies) {
          if (err) throw err;
          keys += Number(n);
        }
      } else keys += await server.unlink(...batch);
    }
  }
  return keys;
}

// Sign-in throttling shared by every dashboard process: counters in Redis (the rule is in
// lib/domain/auth/login-throttle.ts). Redis rather than PostgreSQL: one Lua script increments and
// reads every counter atomically, each key expires by itself (memory stays bounded by the attempt
// rate over one window; no clean-up job, no table that grows), and the dashboard already uses Redis.
// Keys hold SHA-256 digests of the user name and address, so their size does not depend on input.
import { createHash } from "node:crypto";
import type { RedisClient } from "#lib/adapters/queues/redis.ts";
import { type CounterKind, countersFor, KNOWN_ADDRESS_S, LIMITS, throttleUserKey, type Verdict, verdict, WINDOW_S } from "#lib/domain/auth/login-throttle.ts";

export interface LoginThrottle {
  /** Counts one attempt (before any password check) and says whether the password may be checked. */
  attempt(username: string, address: string | undefined): Promise<Verdict>;
  /** After a correct password: takes the attempt back from the address and user counters, clears user@address, remembers the address for the user. */
  succeeded(username: string, address: string | undefined): Promise<void>;
}

// KEYS: counters to increment; ARGV[1]: window (s). Returns [count, ttl] per key.
const INCREMENT = `
local out = {}
for i, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('EXPIRE', key, ARGV[1]) end
  local ttl = redis.call('TTL', key)
  if ttl < 0 then redis.call('EXPIRE', key, ARGV[1]); ttl = tonumber(ARGV[1]) end
  out[#out + 1] = n
  out[#out + 1] = ttl
end
return out`;

// KEYS: counters to take one attempt back from (a correct password), never below 0.
const TAKE_BACK = `
for i, key in ipairs(KEYS) do
  local n = tonumber(redis.call('GET', key) or '0')
  if n > 1 then redis.call('DECR', key) elseif n == 1 then redis.call('DEL', key) end
end
return 0`;

const h = (s: string) => createHash("sha256").update(s).digest("base64url").slice(0, 22);

export function redisLoginThrottle(
  redis: RedisClient,
  o: { prefix?: string; windowS?: number; limits?: Record<CounterKind, number>; knownAddressS?: number } = {},
): LoginThrottle {
  const prefix = `${o.prefix ?? "andon"}:login:`;
  const windowS = o.windowS ?? WINDOW_S;
  const limits = o.limits ?? LIMITS;
  const addr = (a: string | undefined) => a ?? "unknown";
  const key = (kind: CounterKind | "known", user: string, address: string | undefined) =>
    kind === "address"
      ? `${prefix}a:${h(addr(address))}`
      : kind === "user"
        ? `${prefix}u:${h(user)}`
        : `${prefix}${kind === "known" ? "k" : "ua"}:${h(`${user}\n${addr(address)}`)}`;
  return {
    async attempt(username, address) {
      const user = throttleUserKey(username);
      const known = address !== undefined && (await redis.exists(key("known", user, address))) === 1;
      const kinds = countersFor({ hasAddress: address !== undefined, known });
      const raw = (await redis.eval(INCREMENT, kinds.length, ...kinds.map((k) => key(k, user, address)), windowS)) as number[];
      const counts = Object.fromEntries(kinds.map((k, i) => [k, { count: Number(raw[2 * i]), ttlS: Number(raw[2 * i + 1]) }]));
      return verdict(counts, limits);
    },
    async succeeded(username, address) {
      const user = throttleUserKey(username);
      const m = redis.multi().del(key("userAtAddress", user, address));
      m.eval(TAKE_BACK, 2, key("address", user, address), key("user", user, address));
      if (address !== undefined) m.set(key("known", user, address), "1", "EX", o.knownAddressS ?? KNOWN_ADDRESS_S);
      await m.exec();
    },
  };
}

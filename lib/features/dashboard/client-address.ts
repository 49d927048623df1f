// The client's address for sign-in throttling and the audit log. A Next.js route handler sees no
// socket: Next copies the peer into X-Forwarded-For only when the request has none, so a client that
// sends its own header hides its address. Andon's web server (workers/web.ts) therefore puts
// the TCP peer's address in PEER_HEADER on every request, overwriting whatever the client sent.
// X-Forwarded-For is read only when that peer is a configured trusted proxy (TRUSTED_PROXIES), and
// then from the right: the nearest address that is not a trusted proxy is the client.
import { BlockList, isIP } from "node:net";

export const PEER_HEADER = "x-andon-peer";

/** "::ffff:10.0.0.1" -> "10.0.0.1"; anything that is not an IP address -> undefined. */
export function normalizeAddress(raw: string | null | undefined): string | undefined {
  const a = raw?.trim().replace(/^\[(.*)\]$/, "$1");
  if (!a) return undefined;
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a)?.[1];
  const out = v4 ?? a;
  return isIP(out) ? out.toLowerCase() : undefined;
}

export interface TrustedProxies {
  has(address: string): boolean;
}

/** The TRUSTED_PROXIES entries (validated by lib/platform/config.ts) as a matcher. */
export function trustedProxies(entries: readonly string[]): TrustedProxies {
  const list = new BlockList();
  for (const e of entries) {
    const [ip = "", prefix] = e.split("/");
    const family = isIP(ip) === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(ip, family);
    else list.addSubnet(ip, Number(prefix), family);
  }
  return { has: (a) => entries.length > 0 && list.check(a, isIP(a) === 6 ? "ipv6" : "ipv4") };
}

/**
 * The client address: the peer, unless the peer is a trusted proxy; then the right-most
 * X-Forwarded-For entry that is not a trusted proxy (entries left of it could be made up by the
 * client). Undefined when the peer is unknown (the app runs without Andon's web server).
 */
export function clientAddress(peerRaw: string | null | undefined, forwardedFor: string | null | undefined, trusted: TrustedProxies): string | undefined {
  const peer = normalizeAddress(peerRaw);
  if (!peer || !trusted.has(peer)) return peer;
  const hops = (forwardedFor ?? "").split(",").map((h) => h.trim());
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalizeAddress(hops[i]);
    // a broken entry from the proxy chain: what is left of it cannot be trusted either
    if (!hop) return peer;
    if (!trusted.has(hop)) return hop;
  }
  return normalizeAddress(hops[0]) ?? peer;
}

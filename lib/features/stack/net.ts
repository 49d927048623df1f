import { createServer, Socket } from "node:net";
import pRetry from "p-retry";

/** Ports freePort has handed out in this process: never again (their user may not have bound them yet). */
const handedOut = new Set<number>();

/**
 * A TCP port free on 127.0.0.1 now, for a server to listen on, and not one this process was given before.
 * Drawn below Linux's ephemeral range (32768–60999 by default): the kernel hands a port it chose out
 * again soon after it was released (about one call in eight over 2000 calls of `listen(0)` here), so
 * several drawn one after another for one configuration named the same port twice, and an outgoing
 * connection of another process can take an ephemeral port before its server binds it.
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 10_000 + Math.floor(Math.random() * 22_000);
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error("no free TCP port in 10000-31999 (200 tries)");
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

/** True when something accepts TCP connections at host:port. */
export function tcpOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = new Socket();
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once("error", () => done(false));
    sock.connect(port, host, () => done(true));
  });
}

/** Waits until check() says ready, asking every intervalMs; fails after timeoutMs with what was awaited. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000, intervalMs = 200): Promise<void> {
  const notYet = new Error(`${what} did not become ready within ${timeoutMs / 1000} s`);
  await pRetry(
    async () => {
      if (!(await check())) throw notYet;
    },
    { retries: Number.POSITIVE_INFINITY, factor: 1, minTimeout: intervalMs, randomize: false, maxRetryTime: timeoutMs },
  );
}

export function hostPort(u: string, defaultPort: number): { host: string; port: number } {
  const url = new URL(u);
  return { host: url.hostname.replace(/^\[|\]$/g, ""), port: Number(url.port || defaultPort) };
}

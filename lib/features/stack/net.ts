import { createServer, Socket } from "node:net";
import pRetry from "p-retry";

/** A free TCP port on 127.0.0.1 (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      s.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
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

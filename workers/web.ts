// Dashboard process: Next.js (built by `next build`) behind a plain Node HTTP server, so that every
// request carries the TCP peer's address in PEER_HEADER (a route handler has no socket, and Next
// itself keeps a client-sent X-Forwarded-For; see lib/features/dashboard/client-address.ts). Configuration is
// checked before anything listens: a broken setting stops the process with its name, exit code 2.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { Duplex } from "node:stream";
import { parseArgs } from "node:util";
import { constants } from "node:zlib";
import next from "next";
import { PEER_HEADER } from "#lib/features/dashboard/client-address.ts";
import { directRoutes, serveDirect } from "#lib/features/dashboard/direct.ts";
import { DIRECT } from "#lib/features/dashboard/hot-routes.ts";
import { config, repoRoot } from "#lib/platform/config.ts";
import { createLogger } from "#lib/platform/log.ts";
import { onShutdown, runMain } from "#lib/platform/process.ts";

// Responses are gzipped here instead of by Next.js (next.config.ts `compress: false`): the same
// middleware Next.js uses, at zlib level 1 instead of its default 6. The dashboard's JSON answers
// (100-140 KiB) then cost about a third of the CPU to compress for a somewhat larger transfer,
// which on a plant network is the better trade (docs/benchmarks.md, "andon bench dashboard").
type Middleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
const compression = createRequire(import.meta.url)("next/dist/compiled/compression") as (o: { level: number }) => Middleware;
const gzip = compression({ level: constants.Z_BEST_SPEED });

// as route() answers an unexpected failure (lib/features/dashboard/api.ts)
const INTERNAL_ERROR = JSON.stringify({ error: { code: "internal", message: "internal error (logged on the server)" } });

/** As Next.js does: a client that went away leaves the middleware's zlib stream open; end it. */
function releaseOnClose(res: ServerResponse): void {
  res.once("close", () => {
    if (res.writableFinished) return;
    const noop = () => undefined;
    const stream = res.on("drain", noop);
    if (stream === res || !(stream instanceof Duplex)) {
      res.off("drain", noop);
      return;
    }
    stream.destroy();
  });
}

runMain(async () => {
  const cfg = config();
  const log = createLogger("web", cfg.LOG_LEVEL);
  const { values } = parseArgs({ options: { host: { type: "string", default: "127.0.0.1" }, port: { type: "string" } } });
  const port = Number(values.port ?? cfg.WEB_PORT);
  const app = next({ dev: false, dir: repoRoot, hostname: values.host, port });
  const handle = app.getRequestHandler();
  await app.prepare();
  // the plant board and the overview's figures: answered here by the same handlers, without Next.js' route machinery
  const direct = directRoutes(DIRECT);
  const server = createServer((req, res) => {
    // overwritten on every request: a client cannot choose its own address
    req.headers[PEER_HEADER] = req.socket.remoteAddress ?? "";
    gzip(req, res, () => undefined);
    releaseOnClose(res);
    const handler = direct(req);
    if (!handler) {
      void handle(req, res);
      return;
    }
    serveDirect(handler, req, res, () => void handle(req, res)).catch((e: Error) => {
      log.error({ err: e.message, path: req.url?.split("?")[0] }, "API request failed");
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.statusCode = 500;
      res.setHeader("content-type", "application/json");
      res.end(INTERNAL_ERROR);
    });
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, values.host, resolve));
  log.info({ host: values.host, port, trustedProxies: cfg.TRUSTED_PROXIES }, "dashboard listening");
  onShutdown(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await app.close();
  }, log);
});

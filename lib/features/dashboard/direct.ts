// A few API routes answered by the dashboard's Node server itself (workers/web.ts), before Next.js:
// the very handlers Next.js serves for them (route() in ./api.ts: the same credential, role and site
// checks, the same answers and errors), without Next.js' route matching, request wrapping and
// response streaming, which cost a plant-board refresh more than its own work once the board is kept
// (docs/benchmarks.md, "andon bench dashboard"). GET only, and only the paths listed (./hot-routes.ts):
// every other request, and any request this adapter cannot turn into a web Request, goes to Next.js.
// A JSON answer is gzipped here in one call (as the server's middleware would, at the same level 1,
// without its per-response stream), and an answer with the same bytes as the last one for the same
// URL is sent with the same gzip: the overview's figures are the same for every caller within a minute.
import type { IncomingMessage, ServerResponse } from "node:http";
import { constants, gzipSync } from "node:zlib";
import { LRUCache } from "lru-cache";

export type Handler = (req: Request) => Promise<Response>;

/** A catalog path (`/api/v1/sites/{enterprise}/{site}/shift`) and the handler that answers it. */
export interface DirectRoute {
  path: string;
  handler: Handler;
}

const literal = (s: string) => s.replace(/[.*+?^$()|[\]\\]/g, "\\$&");

/** The handler for a request (a GET of a listed path, matched exactly like Next.js' route table would), or undefined. */
export function directRoutes(routes: readonly DirectRoute[]): (req: IncomingMessage) => Handler | undefined {
  const pattern = (path: string) =>
    path
      .split(/\{\w+\}/)
      .map(literal)
      .join("[^/]+");
  const table = routes.map((r) => ({ re: new RegExp(`^${pattern(r.path)}$`), handler: r.handler }));
  return (req) => {
    if (req.method !== "GET" || !req.url?.startsWith("/")) return undefined;
    const q = req.url.indexOf("?");
    const path = q < 0 ? req.url : req.url.slice(0, q);
    return table.find((t) => t.re.test(path))?.handler;
  };
}

// the handlers read the path and the query of the URL, never its origin
const BASE = "http://dashboard.invalid";

/** The web Request a handler reads, from the Node request's headers (as the server set them: PEER_HEADER included). */
export function webRequest(req: IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return new Request(new URL(req.url ?? "/", BASE), { headers });
}

/**
 * Answers `req` with `handler`; a request that cannot be made into a web Request (a header value
 * Headers refuses) is left to `fallback` (Next.js) instead. A JSON or text answer of 1 KiB or more
 * that the client takes gzipped is gzipped here (the server's middleware leaves an encoded answer as
 * it is); any other answer goes through `res` as the server set it up, its middleware included.
 */
export async function serveDirect(handler: Handler, req: IncomingMessage, res: ServerResponse, fallback: () => void): Promise<void> {
  let request: Request;
  try {
    request = webRequest(req);
  } catch {
    fallback();
    return;
  }
  const response = await handler(request);
  const body = Buffer.from(await response.arrayBuffer());
  res.statusCode = response.status;
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") res.setHeader(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  if (!gzipped(req, response, body)) {
    res.end(body);
    return;
  }
  const vary = response.headers.get("vary");
  res.setHeader("vary", vary ? `${vary}, Accept-Encoding` : "Accept-Encoding");
  res.setHeader("content-encoding", "gzip");
  res.end(gzipOf(req.url ?? "", body));
}

/** Whether the client takes gzip (Accept-Encoding: `gzip`, or `*`, with a weight above 0). */
export function acceptsGzip(header: string | undefined): boolean {
  let gzip: number | undefined;
  let any: number | undefined;
  for (const part of (header ?? "").split(",")) {
    const [name = "", ...params] = part.split(";").map((x) => x.trim().toLowerCase());
    const q = params.find((p) => p.startsWith("q="));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    if (name === "gzip") gzip = Number.isNaN(weight) ? 0 : weight;
    else if (name === "*") any = Number.isNaN(weight) ? 0 : weight;
  }
  return (gzip ?? any ?? 0) > 0;
}

// below this the middleware's default threshold leaves answers as they are too
const GZIP_MIN_BYTES = 1024;

function gzipped(req: IncomingMessage, response: Response, body: Buffer): boolean {
  const type = response.headers.get("content-type") ?? "";
  return (
    body.length >= GZIP_MIN_BYTES &&
    (type.startsWith("application/json") || type.startsWith("text/")) &&
    !response.headers.has("content-encoding") &&
    !/\bno-transform\b/i.test(response.headers.get("cache-control") ?? "") &&
    acceptsGzip(req.headers["accept-encoding"])
  );
}

// the last answer per URL with its gzip (process-local: only bytes, compared in full before reuse)
const lastGzip = new LRUCache<string, { raw: Buffer; gz: Buffer }>({ max: 32 });

/** The gzip of `body` (level 1, as the server's middleware), the one made last for the URL when the bytes are the same. */
export function gzipOf(url: string, body: Buffer): Buffer {
  const last = lastGzip.get(url);
  if (last?.raw.equals(body)) return last.gz;
  const gz = gzipSync(body, { level: constants.Z_BEST_SPEED });
  lastGzip.set(url, { raw: body, gz });
  return gz;
}

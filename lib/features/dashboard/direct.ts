// A few API routes answered by the dashboard's Node server itself (workers/web.ts), before Next.js:
// the very handlers Next.js serves for them (route() in ./api.ts: the same credential, role and site
// checks, the same answers and errors), without Next.js' route matching, request wrapping and
// response streaming, which cost a plant-board refresh more than its own work once the board is kept
// (docs/benchmarks.md, "andon bench dashboard"). GET only, and only the paths listed (./hot-routes.ts):
// every other request, and any request this adapter cannot turn into a web Request, goes to Next.js.
import type { IncomingMessage, ServerResponse } from "node:http";

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
 * Headers refuses) is left to `fallback` (Next.js) instead. The response goes through `res` as set
 * up by the server (its gzip included).
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
  res.end(body);
}

// The API routes the dashboard's Node server answers itself (lib/features/dashboard/direct.ts): which
// requests it takes (GET of a listed path, exactly), the web Request the handler reads (the headers
// as the server set them), and the answer written back as the handler made it; everything else is
// left to Next.js. A real Node HTTP server on a loopback port, the handlers are plain functions.
import { createServer, get as httpGet, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acceptsGzip, directRoutes, gzipOf, type Handler, serveDirect, webRequest } from "#lib/features/dashboard/direct.ts";

const seen: Request[] = [];
const board: Handler = async (req) => {
  seen.push(req);
  const url = new URL(req.url);
  if (!req.headers.get("authorization")) return Response.json({ error: { code: "unauthenticated" } }, { status: 401 });
  const headers = new Headers({ "content-type": "application/json", "cache-control": "no-store" });
  headers.append("set-cookie", "a=1; Path=/");
  headers.append("set-cookie", "b=2; Path=/");
  return new Response(JSON.stringify({ path: url.pathname, q: url.searchParams.get("timeline"), peer: req.headers.get("x-peer") }), { headers });
};
const overview: Handler = async () => new Response("overview");
// a JSON answer large enough to be gzipped; `?n=` changes its bytes, `?nt` asks for no-transform, `?small` is under 1 KiB
const big: Handler = async (req) => {
  const url = new URL(req.url);
  const text = url.searchParams.has("small")
    ? '{"a":1}'
    : JSON.stringify({ n: url.searchParams.get("n"), rows: Array.from({ length: 200 }, (_, i) => [i, "RUNNING"]) });
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "cache-control": url.searchParams.has("nt") ? "no-store, no-transform" : "no-store",
  };
  return new Response(text, { headers });
};
const route = directRoutes([
  { path: "/big", handler: big },
  { path: "/api/v1/sites/{enterprise}/{site}/shift", handler: board },
  { path: "/api/v1/oee/sites", handler: overview },
]);

const get = (url: string, method = "GET") => ({ url, method }) as IncomingMessage;

describe("which requests are answered directly", () => {
  it("GET of a listed path, with any query; each path to its handler", () => {
    expect(route(get("/api/v1/sites/acme/dresden/shift"))).toBe(board);
    expect(route(get("/api/v1/sites/acme/dresden/shift?timeline=objects"))).toBe(board);
    expect(route(get("/api/v1/oee/sites?from=1&to=2"))).toBe(overview);
  });

  it("everything else goes to Next.js: other methods, other paths, a longer or shorter path, a trailing slash, an absolute URL", () => {
    for (const [url, method] of [
      ["/api/v1/sites/acme/dresden/shift", "POST"],
      ["/api/v1/sites/acme/dresden/shift", "HEAD"],
      ["/api/v1/sites/acme/dresden/report", "GET"],
      ["/api/v1/sites/acme/dresden/x/shift", "GET"],
      ["/api/v1/sites/acme/shift", "GET"],
      ["/api/v1/sites/acme/dresden/shift/", "GET"],
      ["/api/v1/oee/sitesX", "GET"],
      ["/api/v1/oee/sites/", "GET"],
      ["/prefix/api/v1/oee/sites", "GET"],
      ["http://example.com/api/v1/oee/sites", "GET"],
    ] as const) {
      expect(route(get(url, method)), `${method} ${url}`).toBeUndefined();
    }
  });

  it("a path template's other characters are literal, not a pattern", () => {
    const dotted = directRoutes([{ path: "/a.b/{x}", handler: overview }]);
    expect(dotted(get("/a.b/1"))).toBe(overview);
    expect(dotted(get("/aXb/1"))).toBeUndefined();
  });
});

describe("answering", () => {
  let server: Server;
  let base: string;
  let fellBack = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      // as workers/web.ts does: the server's own header, whatever the client sent
      req.headers["x-peer"] = "from-the-socket";
      const h = route(req);
      if (!h) {
        res.end("next.js");
        return;
      }
      void serveDirect(h, req, res, () => {
        fellBack++;
        res.end("next.js");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("hands the handler the path, the query and the headers as the server set them, and sends its status, headers and body", async () => {
    const res = await fetch(`${base}/api/v1/sites/acme/dresden/shift?timeline=objects`, {
      headers: { authorization: "Bearer t", "x-peer": "forged" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.getSetCookie()).toEqual(["a=1; Path=/", "b=2; Path=/"]);
    expect(await res.json()).toEqual({ path: "/api/v1/sites/acme/dresden/shift", q: "objects", peer: "from-the-socket" });
    expect(seen.at(-1)?.headers.get("authorization")).toBe("Bearer t");
  });

  it("an error answer keeps its status", async () => {
    const res = await fetch(`${base}/api/v1/sites/acme/dresden/shift`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: "unauthenticated" } });
  });

  it("a request not for a direct route is not touched", async () => {
    expect(await (await fetch(`${base}/api/v1/sites/acme/dresden/report`)).text()).toBe("next.js");
    expect(fellBack).toBe(0);
  });

  /** The raw answer (no decompression by the client). */
  const raw = (path: string, acceptEncoding?: string) =>
    new Promise<{ headers: IncomingMessage["headers"]; body: Buffer }>((resolve, reject) => {
      httpGet(`${base}${path}`, { headers: acceptEncoding === undefined ? {} : { "accept-encoding": acceptEncoding } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      }).on("error", reject);
    });

  it("gzips a JSON answer of 1 KiB or more for a client that takes gzip; the bytes are the handler's", async () => {
    const plain = await (await big(new Request("http://x/big?n=1"))).text();
    const a = await raw("/big?n=1", "br, gzip;q=0.5");
    expect(a.headers["content-encoding"]).toBe("gzip");
    expect(a.headers.vary).toBe("Accept-Encoding");
    expect(a.headers["content-type"]).toBe("application/json");
    expect(gunzipSync(a.body).toString("utf8")).toBe(plain);
    expect(a.body.length).toBeLessThan(plain.length);
  });

  it("sends the answer as it is to a client that does not take gzip, under 1 KiB, and with no-transform", async () => {
    for (const [path, enc] of [
      ["/big?n=2", undefined],
      ["/big?n=2", "gzip;q=0, deflate"],
      ["/big?n=2", "identity"],
      ["/big?small", "gzip"],
      ["/big?nt", "gzip"],
    ] as const) {
      const r = await raw(path, enc);
      expect(r.headers["content-encoding"], `${path} ${enc}`).toBeUndefined();
      expect(r.body.toString("utf8"), `${path} ${enc}`).toBe(await (await big(new Request(`http://x${path}`))).text());
    }
  });

  it("reuses the last gzip of a URL only for the same bytes", () => {
    const a = Buffer.from(JSON.stringify({ x: "a".repeat(2000) }));
    const first = gzipOf("/kept", a);
    expect(gzipOf("/kept", Buffer.from(a))).toBe(first);
    const b = Buffer.from(JSON.stringify({ x: "b".repeat(2000) }));
    const second = gzipOf("/kept", b);
    expect(second).not.toBe(first);
    expect(gunzipSync(second).equals(b)).toBe(true);
    // another URL with the same bytes makes its own
    expect(gunzipSync(gzipOf("/other", a)).equals(a)).toBe(true);
  });

  it("reads Accept-Encoding with its weights", () => {
    expect(acceptsGzip("gzip")).toBe(true);
    expect(acceptsGzip("gzip, deflate, br")).toBe(true);
    expect(acceptsGzip("br;q=1.0, GZIP;q=0.1")).toBe(true);
    expect(acceptsGzip("*")).toBe(true);
    expect(acceptsGzip(undefined)).toBe(false);
    expect(acceptsGzip("")).toBe(false);
    expect(acceptsGzip("identity")).toBe(false);
    expect(acceptsGzip("deflate, br")).toBe(false);
    expect(acceptsGzip("gzip;q=0")).toBe(false);
    expect(acceptsGzip("*, gzip;q=0")).toBe(false);
    expect(acceptsGzip("*;q=0")).toBe(false);
  });

  it("a header value a web Request refuses is left to Next.js, not answered with an error", () => {
    const req = { url: "/api/v1/oee/sites", method: "GET", headers: { "x-bad": "a\u0000b" } } as unknown as IncomingMessage;
    expect(() => webRequest(req)).toThrow();
    let fallback = false;
    return serveDirect(overview, req, {} as never, () => {
      fallback = true;
    }).then(() => expect(fallback).toBe(true));
  });
});

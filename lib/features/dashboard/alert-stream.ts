// The live alert stream (server-sent events) of one signed-in caller. The credential is checked again
// every `recheckMs` against PostgreSQL: a sign-out, an expired session, a revoked or expired token or a
// disabled user ends the stream (with an `end` event saying why), and a change of the caller's sites
// applies to the next alert. A failed check also ends it: the browser reconnects and is asked again.
import type { Principal } from "#lib/domain/auth/policy.ts";

export const STREAM_RECHECK_MS = 5000;
const KEEP_ALIVE_MS = 15_000;

export interface AlertStreamDeps {
  principal: Principal;
  /** the caller's credential read again from the database (undefined: no longer valid) */
  recheck: () => Promise<Principal | undefined>;
  /** adds a listener for alert changes (site key, JSON payload); returns its removal */
  subscribe: (listener: (siteKey: string, payload: string) => void) => Promise<() => void>;
  /** the request's abort signal: the client went away */
  signal: AbortSignal;
  recheckMs?: number;
}

export function alertEventStream(d: AlertStreamDeps): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  let principal = d.principal;
  let stop = () => {};
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      let closed = false;
      const send = (s: string) => {
        try {
          controller.enqueue(enc.encode(s));
        } catch {
          stop();
        }
      };
      const end = (reason: string) => {
        if (closed) return;
        send(`event: end\ndata: ${JSON.stringify({ reason })}\n\n`);
        stop();
        try {
          controller.close();
        } catch {}
      };
      send(": andon alerts\n\n");
      const remove = await d.subscribe((siteKey, payload) => {
        if (principal.sites === "all" || principal.sites.includes(siteKey)) send(`event: alert\ndata: ${payload}\n\n`);
      });
      const beat = setInterval(() => send(": keep-alive\n\n"), KEEP_ALIVE_MS);
      let checking = false;
      const check = setInterval(async () => {
        if (checking || closed) return;
        checking = true;
        try {
          const fresh = await d.recheck();
          if (!fresh) end("signed out, expired or revoked");
          else principal = fresh;
        } catch {
          end("the credential could not be checked; reconnect");
        } finally {
          checking = false;
        }
      }, d.recheckMs ?? STREAM_RECHECK_MS);
      stop = () => {
        closed = true;
        clearInterval(beat);
        clearInterval(check);
        remove();
      };
      d.signal.addEventListener("abort", () => {
        stop();
        try {
          controller.close();
        } catch {}
      });
    },
    cancel() {
      stop();
    },
  });
}

// A live stream (server-sent events) of one signed-in caller: the alert inbox, a site's plant board,
// a machine's commands. The credential is checked again every `recheckMs` against PostgreSQL: a
// sign-out, an expired session, a revoked or expired token, a disabled user or a caller who may no
// longer see what the stream is about ends the stream (with an `end` event saying why); a changed
// list of sites applies to the next event. A failed check also ends it: the browser reconnects and
// is asked again. A comment every 15 s keeps proxies from closing an idle stream. A `ready` event
// says the sources are in place (subscribed, listening): what happens from then on is sent.
import type { Principal } from "#lib/domain/auth/policy.ts";

export const STREAM_RECHECK_MS = 5000;
const KEEP_ALIVE_MS = 15_000;

/** Sends one event: `data` may span lines (each becomes its own `data:` line). */
export type Emit = (event: string, data: string) => void;

export interface EventStreamDeps {
  /** the comment that opens the stream (": andon alerts") */
  name: string;
  principal: Principal;
  /** the caller's credential read again from the database (undefined: no longer valid) */
  recheck: () => Promise<Principal | undefined>;
  /** whether the (re-checked) caller may still follow this stream, e.g. still has the site */
  allowed?: (p: Principal) => boolean;
  /**
   * Starts the stream's sources: `emit` sends an event, `principal()` is the caller as last checked
   * (filter by its sites). Returns what stops them.
   */
  open: (emit: Emit, principal: () => Principal) => Promise<() => void>;
  /** the request's abort signal: the client went away */
  signal: AbortSignal;
  recheckMs?: number;
}

export const sseHeaders = { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" } as const;

/** An SSE frame; a line break in `data` starts a new `data:` line, so no payload can forge an event. */
export const sseFrame = (event: string, data: string) =>
  `event: ${event}\n${data
    .split(/\r\n|\r|\n/)
    .map((l) => `data: ${l}\n`)
    .join("")}\n`;

export function eventStream(d: EventStreamDeps): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  let principal = d.principal;
  let stop = () => {};
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      let closed = false;
      const send = (s: string) => {
        if (closed) return;
        try {
          controller.enqueue(enc.encode(s));
        } catch {
          stop();
        }
      };
      const end = (reason: string) => {
        if (closed) return;
        send(sseFrame("end", JSON.stringify({ reason })));
        stop();
        try {
          controller.close();
        } catch {}
      };
      send(`: ${d.name}\n\n`);
      let remove: () => void = () => {};
      const beat = setInterval(() => send(": keep-alive\n\n"), KEEP_ALIVE_MS);
      let checking = false;
      const check = setInterval(async () => {
        if (checking || closed) return;
        checking = true;
        try {
          const fresh = await d.recheck();
          if (!fresh) end("signed out, expired or revoked");
          else if (d.allowed && !d.allowed(fresh)) end("no longer allowed to follow this");
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
      try {
        const removeSources = await d.open(
          (event, data) => send(sseFrame(event, data)),
          () => principal,
        );
        if (closed) removeSources();
        else {
          remove = removeSources;
          // from here on nothing is missed: the page may stop polling
          send(sseFrame("ready", "{}"));
        }
      } catch {
        end("the live source could not be opened; reconnect");
      }
    },
    cancel() {
      stop();
    },
  });
}

// The live alert stream of one signed-in caller: every alert change of the caller's sites (event
// `alert`, data = the MQTT alert message), on the shared stream of ./event-stream.ts (credential
// re-checked every 5 s, an `end` event saying why it stopped, keep-alive).
import type { Principal } from "#lib/domain/auth/policy.ts";
import { eventStream } from "./event-stream.ts";

export { STREAM_RECHECK_MS } from "./event-stream.ts";

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

export const mayFollow = (p: Principal, siteKey: string) => p.sites === "all" || p.sites.includes(siteKey);

export function alertEventStream(d: AlertStreamDeps): ReadableStream<Uint8Array> {
  return eventStream({
    name: "andon alerts",
    principal: d.principal,
    recheck: d.recheck,
    signal: d.signal,
    ...(d.recheckMs ? { recheckMs: d.recheckMs } : {}),
    open: (emit, principal) =>
      d.subscribe((siteKey, payload) => {
        if (mayFollow(principal(), siteKey)) emit("alert", payload);
      }),
  });
}

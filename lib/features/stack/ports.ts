// The ports `andon up` is about to listen on, each named by the setting it comes from, checked before
// anything starts: a port in use stops the start with the setting to change, instead of a service that
// dies at start (or, worse, a check that finds the other program answering and calls ours ready).
import { createServer } from "node:net";
import type { Config } from "#lib/platform/config.ts";

export interface PortUse {
  /** The setting the port comes from: `QUESTDB_ILP_PORT`, or a URL setting such as `REDIS_URL`. */
  setting: string;
  port: number;
  /** What Andon would run there ("QuestDB's ILP listener"). */
  what: string;
  /** Address it binds (default 127.0.0.1). */
  host?: string;
  /** The port is the port part of a URL setting (`REDIS_URL`), not a setting of its own. */
  inUrl?: boolean;
  /** How the port follows from the setting when it is not its value ("the second factory broker: BROKER_SITE_PORTS_FROM + 1"). */
  derived?: string;
}

const label = (u: PortUse) => (u.inUrl ? `the port ${u.port} of ${u.setting}` : u.derived ? `port ${u.port} (${u.derived})` : `${u.setting}=${u.port}`);
const fix = (u: PortUse) =>
  u.inUrl ? `set a free port in ${u.setting}` : u.derived ? `set ${u.setting} so that its ports are free` : `set ${u.setting} to a free port`;

/** Why `host:port` cannot be listened on now (`EADDRINUSE`, `EACCES`, ...), or undefined when it can. */
export function bindError(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    s.listen({ host, port, exclusive: true }, () => s.close(() => resolve(undefined)));
  });
}

/**
 * One line per problem with the ports Andon is about to listen on: two settings naming the same port,
 * or a port something else holds. Empty when every port is free. Port 0 (the OS picks one) is skipped.
 */
export async function portProblems(uses: readonly PortUse[]): Promise<string[]> {
  const out: string[] = [];
  const first = new Map<number, PortUse>();
  for (const u of uses) {
    if (u.port === 0) continue;
    const before = first.get(u.port);
    if (before) {
      out.push(`${label(before)} (${before.what}) and ${label(u)} (${u.what}) are the same port: ${fix(u)}`);
      continue;
    }
    first.set(u.port, u);
    const err = await bindError(u.host ?? "127.0.0.1", u.port);
    if (err === "EADDRINUSE") out.push(`${label(u)} is in use (by another process; Andon would run ${u.what} there): ${fix(u)}`);
    else if (err) out.push(`${label(u)} cannot be listened on (${err}; Andon would run ${u.what} there): ${fix(u)}`);
  }
  return out;
}

type PortSettings = Pick<
  Config,
  | "WEB_PORT"
  | "INGEST_METRICS_PORT"
  | "OEE_METRICS_PORT"
  | "SIM_METRICS_PORT"
  | "BROKER_CENTRAL_PORT"
  | "BROKER_BIND_HOST"
  | "KAFKA_BROKERS"
  | "FORWARD_METRICS_PORT"
>;

/** The ports `andon up` listens on besides its services' (those: lib/features/stack/ensure.ts); the factory brokers' follow the asset model. */
export function stackListens(cfg: PortSettings, multiSite: boolean): PortUse[] {
  return [
    { setting: "WEB_PORT", port: cfg.WEB_PORT, what: "the dashboard" },
    { setting: "INGEST_METRICS_PORT", port: cfg.INGEST_METRICS_PORT, what: "the ingest worker's /metrics" },
    { setting: "OEE_METRICS_PORT", port: cfg.OEE_METRICS_PORT, what: "the OEE worker's /metrics" },
    { setting: "SIM_METRICS_PORT", port: cfg.SIM_METRICS_PORT, what: "the simulator's /metrics" },
    ...(cfg.KAFKA_BROKERS ? [{ setting: "FORWARD_METRICS_PORT", port: cfg.FORWARD_METRICS_PORT, what: "the Kafka forwarder's /metrics" }] : []),
    ...(multiSite ? [{ setting: "BROKER_CENTRAL_PORT", port: cfg.BROKER_CENTRAL_PORT, host: cfg.BROKER_BIND_HOST, what: "the central broker" }] : []),
  ];
}

// The command service: sends queued commands to their machines over MQTT 5 (QoS 1, response topic,
// correlation data = command id, message expiry = the time left), at most one in flight per
// machine and in order, and applies the machines' answers. PostgreSQL is the truth: every step is
// a conditional transition (lib/adapters/db/commands-transitions.ts), so a redelivered answer, a
// second service instance or a restart changes nothing twice.
//
// The parts: the leader lock (lib/adapters/db/commands-lock.ts), the MQTT session
// (lib/adapters/mqtt/command-session.ts), the answers (./answers.ts), the site links (./site-links.ts),
// one round of dispatch (./dispatch.ts, run one at a time by ./rounds.ts) and the start-up
// reconciliation (./reconcile.ts). This module wires them in order.
import type { Logger } from "pino";
import type { PrismaClient } from "#lib/adapters/db/client.ts";
import { COMMANDS_CHANNEL, enterpriseSlugs } from "#lib/adapters/db/commands.ts";
import { takeCommandLeadership } from "#lib/adapters/db/commands-lock.ts";
import { sparkplugCommandTarget } from "#lib/adapters/db/sparkplug-mappings.ts";
import { type CommandSession, openCommandSession } from "#lib/adapters/mqtt/command-session.ts";
import { bridgeStateFilter, responseFilter } from "#lib/contract/topics.ts";
import type { Config } from "#lib/platform/config.ts";
import { handleAnswer } from "./answers.ts";
import { type DispatchDeps, publish, round } from "./dispatch.ts";
import { republishInFlight } from "./reconcile.ts";
import { serialRounds } from "./rounds.ts";
import { siteLinks } from "./site-links.ts";

const RESUBSCRIBE_MS = 30_000;

export interface CommandServiceOptions {
  config: Pick<
    Config,
    | "DATABASE_URL"
    | "MQTT_URL"
    | "MQTT_USERNAME"
    | "MQTT_PASSWORD"
    | "MQTT_CA_FILE"
    | "MQTT_CERT_FILE"
    | "MQTT_KEY_FILE"
    | "MQTT_TLS_REJECT_UNAUTHORIZED"
    | "COMMAND_CLIENT_ID"
    | "COMMAND_TICK_MS"
    | "COMMAND_ANSWER_GRACE_S"
  >;
  prisma: PrismaClient;
  log: Logger;
  /** called when the service lost its leader lock (its PostgreSQL connection); it has stopped sending */
  onLost?: (e: Error) => void;
}

export interface CommandService {
  /** runs one round now (expiries, timeouts, dispatch); resolves when it is done */
  pump(): Promise<void>;
  stop(): Promise<void>;
}

export async function startCommandService(o: CommandServiceOptions): Promise<CommandService> {
  const { prisma, log, config: cfg } = o;
  const rounds = serialRounds(() => round(dispatch), log);
  // Losing the lock means another service may lead now. Stop sending at once and report; the
  // process exits and its supervisor starts it again (as a standby).
  const leadership = await takeCommandLeadership({
    databaseUrl: cfg.DATABASE_URL,
    log,
    onLost: (e) => {
      if (rounds.stopped) return;
      void rounds.stop();
      log.error({ err: e.message }, "lost the PostgreSQL connection that holds the command service's lock; stopping");
      o.onLost?.(e);
    },
  });

  // Answers are applied before they are acknowledged; bridge states at once.
  const links = siteLinks(log, () => void rounds.schedule());
  const session: CommandSession = openCommandSession(cfg, cfg.COMMAND_CLIENT_ID, log, (m) =>
    links.onMessage(m) ? undefined : handleAnswer({ prisma, log, onFinal: () => void rounds.schedule() }, m),
  );
  const dispatch: DispatchDeps = {
    prisma,
    log,
    session,
    held: links.down,
    answerGraceS: cfg.COMMAND_ANSWER_GRACE_S,
    sparkplugTarget: (machine, type) => sparkplugCommandTarget(prisma, machine, type),
  };
  await session.connected;
  const subscribe = async () => session.subscribe((await enterpriseSlugs(prisma)).flatMap((e) => [responseFilter(e), bridgeStateFilter(e)]));
  await subscribe();

  await republishInFlight(prisma, log, (c) => publish(dispatch, c));

  await leadership.listen(COMMANDS_CHANNEL, () => void rounds.schedule());
  const tick = setInterval(() => void rounds.schedule(), cfg.COMMAND_TICK_MS);
  const resubscribe = setInterval(() => void subscribe().catch((e: Error) => log.warn({ err: e.message }, "subscribe failed")), RESUBSCRIBE_MS);
  await rounds.schedule();
  log.info({ clientId: cfg.COMMAND_CLIENT_ID }, "command service started");

  return {
    pump: () => rounds.pump(),
    async stop() {
      clearInterval(tick);
      clearInterval(resubscribe);
      await rounds.stop();
      await session.end();
      await leadership.end();
    },
  };
}

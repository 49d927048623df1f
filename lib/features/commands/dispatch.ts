// One round of the command service: expire what waited too long, fail what was accepted and never
// completed, then send each machine's next queued command (at most one in flight per machine, in
// order, none to a site whose link is down). The decisions are in lib/domain/commands/dispatch.ts.
import type { Logger } from "pino";
import type { PrismaClient } from "#lib/adapters/db/client.ts";
import {
  acceptedCommands,
  type Command,
  expiredUnsent,
  isUniqueViolation,
  machinesInFlight,
  messageOf,
  queueHeads,
  sentExpiredBy,
} from "#lib/adapters/db/commands.ts";
import { ExpiredBeforeSend, transition } from "#lib/adapters/db/commands-transitions.ts";
import type { CommandSession } from "#lib/adapters/mqtt/command-session.ts";
import { COMMAND_TYPES, type CommandRequest, type CommandType } from "#lib/contract/commands.ts";
import { asMachineKey } from "#lib/contract/identity.ts";
import { commandPayload, commandValue, sparkplugTopic } from "#lib/contract/sparkplug.ts";
import {
  completionOverdue,
  completionOverdueReason,
  isExpired,
  messageExpiryS,
  NEVER_PUBLISHED,
  queuedExpiryReason,
  toSend,
  UNANSWERED,
  unansweredBefore,
} from "#lib/domain/commands/dispatch.ts";

export const ACTOR = "command-service";
/** How long a machine may take to complete an accepted command of an unknown type. */
const DEFAULT_COMPLETE_WITHIN_S = 60;

export interface DispatchDeps {
  prisma: PrismaClient;
  log: Logger;
  session: CommandSession;
  /** sites whose link to the central broker is down */
  held: ReadonlySet<string>;
  answerGraceS: number;
  /** The Sparkplug metric a command goes to when its machine is a Sparkplug device (admins' mapping, channel "command"). */
  sparkplugTarget?: (machine: string, type: string) => Promise<SparkplugTopicOf | undefined>;
}

type SparkplugTopicOf = { group: string; edgeNode: string; device: string; metric: string };

/**
 * The last check before a command leaves: one already expired is never published (the broker would
 * still deliver it for the 1 s minimum expiry). It is recorded as EXPIRED with the reason.
 */
export function publish({ prisma, log, session, sparkplugTarget }: DispatchDeps, c: Command): void {
  const now = Date.now();
  if (isExpired(c.expiresAt.getTime(), now)) {
    void transition(prisma, c.id, "expire", { actor: ACTOR, reason: NEVER_PUBLISHED, at: now }).catch((e: unknown) =>
      log.warn({ command: c.id, err: messageOf(e) }, "could not record an expiry at send time; the next round expires it"),
    );
    return;
  }
  const request: CommandRequest = {
    v: 1,
    id: c.id,
    type: c.type as CommandType,
    params: c.params as Record<string, unknown>,
    issued_at: c.createdAt.toISOString(),
    expires_at: c.expiresAt.toISOString(),
    issued_by: c.requestedBy,
  };
  // a Sparkplug device gets a DCMD (NCMD for the edge node's own metric) writing the command's value to its
  // metric; it answers by reporting that value (lib/features/ingest/sparkplug-commands.ts)
  const send = async () => {
    const t = await sparkplugTarget?.(c.machineKey, c.type);
    if (!t) return session.publishCommand(asMachineKey(c.machineKey), request, messageExpiryS(c.expiresAt.getTime(), now));
    const topic = sparkplugTopic({ group: t.group, type: t.device ? "DCMD" : "NCMD", edgeNode: t.edgeNode, ...(t.device ? { device: t.device } : {}) });
    return session.publishSparkplug(topic, commandPayload(t.metric, commandValue(request.params), Date.now()));
  };
  send().catch((e: Error) => log.warn({ command: c.id, err: e.message }, "publish failed; the command is published again after a restart or expires"));
}

export async function round(deps: DispatchDeps): Promise<void> {
  const { prisma, held } = deps;
  const now = Date.now();
  const expire = (ids: { id: string }[], reason: string) => Promise.all(ids.map((c) => transition(prisma, c.id, "expire", { actor: ACTOR, reason, at: now })));
  const stale = await expiredUnsent(prisma, now);
  await expire(
    stale.filter((c) => !held.has(c.siteKey)),
    queuedExpiryReason(false),
  );
  await expire(
    stale.filter((c) => held.has(c.siteKey)),
    queuedExpiryReason(true),
  );
  await expire(await sentExpiredBy(prisma, unansweredBefore(now, deps.answerGraceS)), UNANSWERED);
  for (const c of await acceptedCommands(prisma)) {
    const within = COMMAND_TYPES[c.type as CommandType]?.completeWithinS ?? DEFAULT_COMPLETE_WITHIN_S;
    if (completionOverdue(c.acceptedAt?.getTime(), within, now)) {
      await transition(prisma, c.id, "complete_timeout", { actor: ACTOR, reason: completionOverdueReason(within), at: now });
    }
  }
  const busy = await machinesInFlight(prisma);
  for (const c of toSend(await queueHeads(prisma, busy), busy, held)) {
    // transition("send") refuses a command that is expired when the update lands (ExpiredBeforeSend)
    const sent = await transition(prisma, c.id, "send", { actor: ACTOR, at: Date.now() }).catch(async (e: unknown) => {
      if (isUniqueViolation(e)) return undefined; // another command of the machine went out first
      if (!(e instanceof ExpiredBeforeSend)) throw e;
      await transition(prisma, c.id, "expire", { actor: ACTOR, reason: NEVER_PUBLISHED, at: Date.now() });
      return undefined;
    });
    if (sent) publish(deps, sent);
  }
}

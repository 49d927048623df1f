// The machines' answers on their response topics: each is applied to its command before it is
// acknowledged. An answer that cannot apply (not JSON, not the contract, no such command, another
// machine's command) or that the database refuses for good is dead-lettered: recorded in the audit
// log, bounded, and acknowledged, so it never stalls the answers behind it.
import { createHash } from "node:crypto";
import type { Logger } from "pino";
import { audit } from "#lib/adapters/db/audit.ts";
import type { PrismaClient } from "#lib/adapters/db/client.ts";
import { findCommand, isTransient, messageOf, storable } from "#lib/adapters/db/commands.ts";
import { transition } from "#lib/adapters/db/commands-transitions.ts";
import type { InboundMessage } from "#lib/adapters/mqtt/command-session.ts";
import { CommandResponse } from "#lib/contract/commands.ts";
import { preview } from "#lib/contract/preview.ts";
import { machineOfCommandTopic } from "#lib/contract/topics.ts";
import { judgeAnswer } from "#lib/domain/commands/answers.ts";
import { isFinal } from "#lib/domain/commands/lifecycle.ts";

const ACTOR = "command-service";
const noNul = (t: string) => storable(t, Number.POSITIVE_INFINITY);

export interface AnswerDeps {
  prisma: PrismaClient;
  log: Logger;
  /** a command reached a final state: its machine may get its next command */
  onFinal: () => void;
}

/**
 * A dead letter is bounded whatever the answer: topic and reason cut, the payload's first 2000
 * characters with its size and SHA-256 (to find the original in a capture).
 */
async function deadLetter({ prisma, log }: AnswerDeps, topic: string, reason: string, payload: Buffer) {
  const subject = storable(topic, 300);
  log.warn({ topic: subject, reason: storable(reason, 300) }, "command answer dead-lettered");
  await audit(prisma, {
    actor: ACTOR,
    action: "command.answer.dead-lettered",
    subject,
    siteSlug: storable(topic.split("/", 2)[1] ?? "", 100) || null,
    result: "dead-lettered",
    details: {
      reason: storable(reason, 500),
      payload: storable(payload.subarray(0, 8000).toString("utf8"), 2000),
      bytes: payload.length,
      sha256: createHash("sha256").update(payload).digest("hex"),
    },
  });
}

async function applyAnswer(deps: AnswerDeps, m: InboundMessage) {
  const { prisma, log } = deps;
  const where = machineOfCommandTopic(m.topic);
  if (!where?.response) return deadLetter(deps, m.topic, "not a command response topic", m.payload);
  let json: unknown;
  try {
    json = JSON.parse(m.payload.toString("utf8"));
  } catch {
    return deadLetter(deps, m.topic, "payload is not JSON", m.payload);
  }
  const parsed = CommandResponse.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    return deadLetter(deps, m.topic, `${i?.path.join(".") || "payload"}: ${i?.message}`, m.payload);
  }
  const r = parsed.data;
  if (m.correlation !== undefined && m.correlation !== r.id) {
    return deadLetter(deps, m.topic, `correlation data ${preview(m.correlation, 60)} does not match id ${r.id}`, m.payload);
  }
  const verdict = judgeAnswer(r, (await findCommand(prisma, r.id)) ?? undefined, where.key);
  if ("deadLetter" in verdict) return deadLetter(deps, m.topic, verdict.deadLetter, m.payload);
  const c = verdict.command;
  const reason = verdict.reason ? noNul(verdict.reason) : undefined;
  const apply = () => transition(prisma, c.id, verdict.event, { actor: `machine ${c.machineKey}`, ...(reason ? { reason } : {}) });
  // a timeout may have changed the command between our read and our update (the update then matches
  // nothing): one more try against the status as it is now
  const done = (await apply()) ?? (await apply());
  if (!done) {
    log.debug({ command: c.id, status: c.status, answer: r.status }, "answer changes nothing (a repeat, or after the final state)");
    return;
  }
  log.info({ command: c.id, machine: c.machineKey, type: c.type, status: done.status }, "command answered");
  if (isFinal(done.status)) deps.onFinal();
}

/**
 * Handles one message on a response topic. Resolves once it is applied or dead-lettered; rejects
 * (logged) when the database is away, so the message stays unacknowledged and comes again.
 */
export function handleAnswer(deps: AnswerDeps, m: InboundMessage): Promise<void> {
  return applyAnswer(deps, m)
    .catch(async (e: unknown) => {
      // an answer the database refuses for good (bad bytes, a constraint) is dead-lettered; retrying it
      // would stall every answer behind it
      if (!isTransient(e)) return deadLetter(deps, m.topic, `not applicable: ${messageOf(e).slice(0, 300)}`, m.payload);
      throw e;
    })
    .catch((e: unknown) => {
      deps.log.error({ err: messageOf(e).slice(0, 300), topic: storable(m.topic, 300) }, "could not apply an answer; it stays unacknowledged and comes again");
      throw e;
    });
}

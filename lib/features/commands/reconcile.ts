// Start-up: commands still SENT when the service last stopped are published again with the same id.
// The service cannot know whether the machine got them; machines execute an id at most once and
// answer a repeat with their earlier answer (docs/mqtt.md), which also recovers an answer lost
// between the broker and a crashed service.
import type { Logger } from "pino";
import type { PrismaClient } from "#lib/adapters/db/client.ts";
import { type Command, sentUnexpired } from "#lib/adapters/db/commands.ts";
import { recordRepublish } from "#lib/adapters/db/commands-transitions.ts";
import { REPUBLISHED_AFTER_RESTART } from "#lib/domain/commands/dispatch.ts";
import { ACTOR } from "./dispatch.ts";

export async function republishInFlight(prisma: PrismaClient, log: Logger, publish: (c: Command) => void): Promise<void> {
  const inFlight = await sentUnexpired(prisma, Date.now());
  for (const c of inFlight) {
    const again = await recordRepublish(prisma, c.id, { actor: ACTOR, reason: REPUBLISHED_AFTER_RESTART });
    if (again) publish(again);
  }
  if (inFlight.length)
    log.info({ commands: inFlight.length }, "published in-flight commands again after a restart (same ids: machines answer repeats, never execute twice)");
}

// What the command service sends when (docs/mqtt.md "Commands"). Pure: the caller reads the
// commands and the clock, these rules decide; the conditional updates that apply the decisions
// live in lib/adapters/db/commands-transitions.ts.

/** Why a command is expired without ever being published (the last check before it leaves). */
export const NEVER_PUBLISHED = "expired before it could be sent: never published";
/** Why a SENT command is given up: the machine did not accept it within its expiry and the grace. */
export const UNANSWERED =
  "the machine did not accept it before it expired (offline or not answering); the broker discards it and the machine must not carry it out";
/** Why a command still SENT at start-up is published again (with the same id). */
export const REPUBLISHED_AFTER_RESTART = "published again after a restart of the command service (same id)";

/** A command past its expiry must never be published (nor carried out). */
export const isExpired = (expiresAt: number, now: number) => expiresAt <= now;

/**
 * Why a queued command expired: it never left, either because its site's link to the central
 * broker was down (`held`) or because an earlier command to its machine was still in flight.
 */
export function queuedExpiryReason(held: boolean): string {
  return held
    ? "expired while queued: it was never sent (the site's link to the central broker was down)"
    : "expired while queued: it was never sent (an earlier command to the machine was still in flight)";
}

/**
 * SENT commands that expired before this instant are given up: the grace leaves time for an answer
 * published just before the expiry to arrive.
 */
export const unansweredBefore = (now: number, graceS: number) => now - graceS * 1000;

/** An accepted command not completed within its type's time is failed. */
export function completionOverdue(acceptedAt: number | undefined, withinS: number, now: number): boolean {
  return (acceptedAt ?? now) + withinS * 1000 <= now;
}
export const completionOverdueReason = (withinS: number) => `accepted but not completed within ${withinS} s`;

export interface QueueHead {
  machineId: string;
  siteKey: string;
}

/**
 * Which of the machines' oldest queued commands (`heads`, one per machine, oldest first) go out now:
 * at most one command in flight per machine, and none to a site whose link is down (`held`): it
 * would be dropped, so it waits in the queue until the link is back or it expires. Lazy: `held` is
 * read as each command is taken, so a link that goes down during the round holds the rest.
 */
export function* toSend<T extends QueueHead>(heads: Iterable<T>, inFlightMachines: Iterable<string>, held: ReadonlySet<string>): Generator<T> {
  const busy = new Set(inFlightMachines);
  for (const c of heads) {
    if (busy.has(c.machineId)) continue;
    busy.add(c.machineId);
    if (!held.has(c.siteKey)) yield c;
  }
}

/** The MQTT message expiry of a command: the whole seconds left, at least 1 (MQTT's minimum). */
export const messageExpiryS = (expiresAt: number, now: number) => Math.max(1, Math.ceil((expiresAt - now) / 1000));

/** A site bridge's state message: "1" while connected to the central broker, anything else not. */
export const isLinkUp = (payload: string) => payload.trim() === "1";

// The lifecycle of a command to a machine (docs/mqtt.md "Commands"). Pure: which transitions exist,
// which are final. The command service applies them with conditional updates, so a transition that
// is not in this table (a redelivered answer, a duplicate request, a timeout after the answer) is a
// no-op, never an error.

export const COMMAND_STATUSES = ["CREATED", "QUEUED", "SENT", "ACCEPTED", "COMPLETED", "REJECTED", "FAILED", "EXPIRED", "CANCELLED"] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

export const FINAL: readonly CommandStatus[] = ["COMPLETED", "REJECTED", "FAILED", "EXPIRED", "CANCELLED"];
/** Sent to the machine and not answered finally: at most one per machine (a database index enforces it). */
export const IN_FLIGHT: readonly CommandStatus[] = ["SENT", "ACCEPTED"];
export const isFinal = (s: CommandStatus) => FINAL.includes(s);

export type CommandEvent = "queue" | "send" | "cancel" | "expire" | "complete_timeout" | { answer: "accepted" | "rejected" | "completed" | "failed" };

/**
 * The status after `event`, or undefined when the event does not apply (nothing changes).
 * An answer from the machine is evidence of what happened: a final "completed" or "failed" also
 * applies to a command that Andon had given up on as EXPIRED (the machine answered before the expiry
 * but the answer arrived late). A late "accepted" does not: it would put the command back in flight
 * while the machine's next command may already be sent. A late "rejected" changes nothing either.
 */
export function nextStatus(from: CommandStatus, event: CommandEvent): CommandStatus | undefined {
  if (typeof event === "object") {
    switch (event.answer) {
      case "accepted":
        return from === "SENT" ? "ACCEPTED" : undefined;
      case "rejected":
        return from === "SENT" ? "REJECTED" : undefined;
      case "completed":
        return from === "SENT" || from === "ACCEPTED" || from === "EXPIRED" ? "COMPLETED" : undefined;
      case "failed":
        return from === "SENT" || from === "ACCEPTED" || from === "EXPIRED" ? "FAILED" : undefined;
    }
  }
  switch (event) {
    case "queue":
      return from === "CREATED" ? "QUEUED" : undefined;
    case "send":
      return from === "QUEUED" ? "SENT" : undefined;
    case "cancel":
      return from === "CREATED" || from === "QUEUED" ? "CANCELLED" : undefined;
    case "expire":
      return from === "CREATED" || from === "QUEUED" || from === "SENT" ? "EXPIRED" : undefined;
    case "complete_timeout":
      return from === "ACCEPTED" ? "FAILED" : undefined;
  }
}

/** Every status `event` may start from (what a conditional update must match). */
export function fromStatuses(event: CommandEvent): CommandStatus[] {
  return COMMAND_STATUSES.filter((s) => nextStatus(s, event) !== undefined);
}

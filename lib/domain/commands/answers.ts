// What a machine's answer does to its command (docs/mqtt.md "Commands"). Pure: the caller parses
// the answer and reads the command; this decides whether to apply it or dead-letter it.
import type { CommandEvent, CommandStatus } from "./lifecycle.ts";

/** What a machine may answer (the answer events of the lifecycle). */
export type AnswerStatus = Extract<CommandEvent, { answer: unknown }>["answer"];

export interface Answer {
  id: string;
  status: AnswerStatus;
  reason?: string | undefined;
  ts: string;
}

export interface AnsweredCommand {
  id: string;
  machineKey: string;
  status: CommandStatus;
}

export type AnswerVerdict<C> = { deadLetter: string } | { command: C; event: CommandEvent; reason: string | undefined };

/**
 * An answer applies to the command it names when that command was sent to the machine whose
 * response topic it came on (`fromMachine`). A late answer to an expired command is recorded with
 * a reason saying so (the lifecycle decides whether it still changes the status).
 */
export function judgeAnswer<C extends AnsweredCommand>(answer: Answer, command: C | undefined, fromMachine: string): AnswerVerdict<C> {
  if (!command) return { deadLetter: `no command ${answer.id}` };
  if (command.machineKey !== fromMachine) return { deadLetter: `command ${answer.id} was sent to ${command.machineKey}, not to ${fromMachine}` };
  const late = command.status === "EXPIRED" ? `answered "${answer.status}" at ${answer.ts}, after Andon had given it up as expired` : undefined;
  return { command, event: { answer: answer.status }, reason: [answer.reason, late].filter(Boolean).join("; ") || undefined };
}

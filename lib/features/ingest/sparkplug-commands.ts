// Andon's command lifecycle for Sparkplug devices, the answering half: a Sparkplug device does not answer a
// DCMD; it reports the metric it was told to write in its next data. When it reports the value the in-flight
// command of its machine asked for, the host answers that command for it (`completed`, on the machine's
// response topic, as a machine speaking Andon's contract would), and the command service applies the answer
// as any other (audit, one in flight, expiry). A report of another value answers nothing: the command
// expires if the device never gets there. The sending half: lib/features/commands/dispatch.ts.
import type { CommandResponse, RESPONSE_STATUSES } from "#lib/contract/commands.ts";
import { commandValue } from "#lib/contract/sparkplug.ts";
import type { CommandReport } from "./sparkplug-mapping.ts";

export interface InFlightCommand {
  id: string;
  type: string;
  params: Record<string, unknown>;
}

/** The answer a device's report gives its machine's in-flight command, or undefined. */
export function reportAnswer(c: InFlightCommand | undefined, report: CommandReport, nowMs: number): CommandResponse | undefined {
  if (!c || c.type !== report.type || report.value !== commandValue(c.params)) return undefined;
  const status: (typeof RESPONSE_STATUSES)[number] = "completed";
  return { v: 1, id: c.id, status, ts: new Date(nowMs).toISOString() };
}

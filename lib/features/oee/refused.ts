// Writing a roll-up's rows so that a row QuestDB will never take cannot block OEE. Without this, one
// refused row (the encoder cannot encode it, or QuestDB answered 400/413/422) failed the whole job on
// every attempt and every later run of its scheduler: the cursor of the scheduled runs and the late
// scan's watermark never moved again, so one bad machine stopped OEE for the whole plant.
import { writeIsolating } from "#lib/adapters/questdb/isolate.ts";
import { oeeDeadLetterRow, refusedOeeRow } from "#lib/adapters/questdb/oee-rows.ts";
import type { Row } from "#lib/adapters/questdb/rows.ts";
import type { RowWriter } from "#lib/adapters/questdb/writer.ts";
import type { RefusedOeeRow } from "#lib/contract/jobs/oee.ts";

export interface RefusedRowsDeps {
  writer: RowWriter;
  /** Told of the rows QuestDB refused, once their dead letters are written (the worker logs each at error level). */
  onRefused?: (refused: { row: RefusedOeeRow; deadLettered: boolean }[]) => void;
}

/**
 * Writes the rows; the rows QuestDB refuses for good are found by halving (writeIsolating) and every
 * other row is written. Each refused row becomes a dead letter (ingest_dead_letters, worker "oee")
 * and is returned, so the job completes. A failure that can pass (QuestDB down, a timeout) is thrown
 * as before, and the job is retried: rows already written are rewritten with the same numbers.
 */
export async function writeOeeRows(deps: RefusedRowsDeps, rows: readonly Row[], nowMs: number): Promise<RefusedOeeRow[]> {
  const refused = await writeIsolating(rows, (part) => deps.writer.write(part));
  if (refused.length === 0) return [];
  const described = refused.map((r) => refusedOeeRow(r.item, r.reason));
  const letters = refused.map((r, i) => oeeDeadLetterRow(r.item, described[i] as RefusedOeeRow, nowMs));
  // a dead letter refused too must not block OEE either: the row is still logged and in the job's result
  const lost = new Set((await writeIsolating(letters, (part) => deps.writer.write(part))).map((r) => r.item));
  deps.onRefused?.(described.map((row, i) => ({ row, deadLettered: !lost.has(letters[i] as Row) })));
  return described;
}

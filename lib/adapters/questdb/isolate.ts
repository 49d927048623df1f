// Finding the rows QuestDB will never take, so they cannot block the others: the ingest batcher's
// messages (lib/features/ingest/batcher.ts) and the OEE roll-up's rows (lib/features/oee/refused.ts)
// are written through this, each with its own retry and its own way of reporting what was refused.
import { RowsRefusedError } from "./writer.ts";

/** An item whose rows were refused for good, alone in its write, with the refusal's message. */
export interface Refusal<T> {
  item: T;
  reason: string;
}

/**
 * Writes `items` with `write`. When it throws RowsRefusedError, the items are halved and each half is
 * written on its own, until every refused item is alone: those come back with the refusal's message,
 * every other item was written. So k refused items among n cost about 2·k·log2(n) extra writes, and a
 * batch refused only for its size (413) is written in smaller parts. Any other error (QuestDB down, a
 * timeout, 5xx) is thrown as it is, for the caller to retry: what a part wrote before is rewritten
 * harmlessly (DEDUP keys).
 */
export async function writeIsolating<T>(items: readonly T[], write: (part: readonly T[]) => Promise<void>): Promise<Refusal<T>[]> {
  if (items.length === 0) return [];
  try {
    await write(items);
    return [];
  } catch (e) {
    if (!(e instanceof RowsRefusedError)) throw e;
    if (items.length === 1) return [{ item: items[0] as T, reason: e.message }];
  }
  const half = Math.ceil(items.length / 2);
  const first = await writeIsolating(items.slice(0, half), write);
  return [...first, ...(await writeIsolating(items.slice(half), write))];
}

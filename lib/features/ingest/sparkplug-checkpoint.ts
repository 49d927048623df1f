// Checkpoints of the Sparkplug host application's sessions, so that a restarted ingest worker can resolve the
// data the broker redelivers (aliases, birth certificates, last values) instead of dead-lettering it as "before
// the edge node's NBIRTH" and losing it (test/integration/sparkplug-crash.test.ts, SIGKILL mid-stream).
//
// When the batcher cuts a batch it asks for the checkpoint rows of the edge nodes whose session changed since
// the last cut (the state after every message handled so far) and writes them with the batch's rows; the
// batch's messages are acknowledged only after both are durable. So the latest durable checkpoint is never
// behind what the broker redelivers after a crash. It can be ahead: by the messages of a batch that was not
// yet acknowledged (killed between QuestDB's commit and the PUBACKs), or of an earlier batch still being
// written when a later one committed. Redelivered messages are then resolved with that session: the first one
// becomes the sequence baseline (no gap, no rebirth request), aliases resolve as before, the last values are
// newer (docs/mqtt.md says what that means for counters split over two metrics).
//
// A reconnect that resumes the broker session (a cut link, a broker restart) redelivers what was not
// acknowledged, which the in-memory sessions have already taken: the host goes back (rewind) to the sessions of
// the latest durable checkpoint, kept in memory, before the broker redelivers.
import type { Row } from "#lib/adapters/questdb/rows.ts";
import type { StoredSession } from "#lib/adapters/questdb/sparkplug-sessions.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import type { NodeSnapshot, SparkplugHost } from "./sparkplug-session.ts";

export interface CheckpointClock {
  /** The last checkpoint timestamp written (µs): timestamps only grow, so the latest row is the latest state. */
  lastMicros: number;
}

/** The rows of these changed sessions (an empty session: the edge node died). */
export function checkpointRows(changed: readonly [string, NodeSnapshot | undefined][], hostId: string, clock: CheckpointClock, nowMicros: number): Row[] {
  if (!changed.length) return [];
  clock.lastMicros = Math.max(nowMicros, clock.lastMicros + 1);
  return changed.map(([node, session]) => ({
    table: TABLES.sparkplugSessions,
    symbols: [
      ["host", hostId],
      ["node", node],
    ],
    fields: [{ kind: "string", name: "session", value: session ? JSON.stringify(session) : "" }],
    ts: clock.lastMicros,
  }));
}

/** Resumes the stored sessions (and notes them as durable); returns how many, and the edge nodes whose checkpoint could not be read. */
export function restoreSessions(
  host: SparkplugHost,
  stored: readonly StoredSession[],
  durable: Map<string, NodeSnapshot | undefined>,
  clock: CheckpointClock,
): { restored: number; unreadable: string[] } {
  let restored = 0;
  const unreadable: string[] = [];
  for (const s of stored) {
    clock.lastMicros = Math.max(clock.lastMicros, s.micros); // the next checkpoints come after these, whatever the clock says
    if (!s.session) continue;
    try {
      const snap = JSON.parse(s.session) as NodeSnapshot;
      host.restore(s.node, snap);
      durable.set(s.node, snap);
      restored++;
    } catch {
      unreadable.push(s.node); // its next data asks for a rebirth, as without a checkpoint
    }
  }
  return { restored, unreadable };
}

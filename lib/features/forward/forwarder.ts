// The Kafka forwarder: per stream (a source table and its topic), read the rows stored in a time
// window after the committed position, send them, await Kafka's acks, then commit the window's end
// in PostgreSQL. Nothing is held but one batch: while Kafka (or a source) is away the position
// stays, and the same window is read and sent again once it is back (at-least-once; a record sent
// twice keeps its id). A window holding more than FORWARD_BATCH_ROWS rows is cut before the first row
// past the batch; one that held few is doubled, so a backlog is read in batches of about that size. Only rows stored at least
// FORWARD_SETTLE_MS ago are read, and for QuestDB only those committed before the table's applied
// horizon (visibility.ts). A row's stored-at time is stamped by the writer when the write that lands
// it starts (rows.ts "storedAt"), so a row held back (ingest waiting out a QuestDB outage) is new when
// it lands; FORWARD_SETTLE_MS covers how long a write may take from its stamp to its commit (the
// ingest writer gives up after 12 s) and clock differences between hosts.
import type { PrismaClient } from "#lib/adapters/db/client.ts";
import { alertsChangedIn, commandEventsIn, type ForwardCursorStore } from "#lib/adapters/db/forward.ts";
import type { KafkaRecord, KafkaSink } from "#lib/adapters/kafka/producer.ts";
import { FORWARDED_TABLES, type ForwardedTable, questRowsStoredIn, walTxns } from "#lib/adapters/questdb/forward.ts";
import type { ForwardMetrics } from "./metrics.ts";
import { alertRecords, commandRecords, questRecords, type StreamName, TOPICS } from "./records.ts";
import { AppliedHorizon } from "./visibility.ts";

export interface ForwardSource {
  name: StreamName;
  topic: string;
  /** the records of the rows stored in (fromMs, toMs], at most `limit`, oldest first, and when each was stored (epoch µs) */
  read(fromMs: number, toMs: number, limit: number): Promise<{ records: KafkaRecord[]; storedUs: number[] }>;
  /** the instant (epoch ms) before which every committed row is visible to `read`; absent: commits are visible at once */
  visibleBefore?(now: number): Promise<number>;
}

/** Every stream Andon forwards: telemetry (QuestDB), closed OEE buckets (QuestDB), alerts and command events (PostgreSQL). */
export function forwardSources(deps: { pool: import("pg").Pool; prisma: PrismaClient }, topicPrefix: string): ForwardSource[] {
  const quest = (name: ForwardedTable): ForwardSource => {
    const topic = `${topicPrefix}${TOPICS[name]}`;
    const read = async (from: number, to: number, limit: number) => {
      const rows = await questRowsStoredIn(deps.pool, name, from, to, limit);
      return { records: questRecords(name, topic, rows), storedUs: rows.map((r) => Number(r.stored_us)) };
    };
    const applied = new AppliedHorizon();
    const visibleBefore = async (now: number) => {
      const table = FORWARDED_TABLES[name].table;
      const t = await walTxns(deps.pool, table);
      // a table not made yet has no rows to miss
      if (!t) return now;
      // its committed rows will not become visible until someone resumes it: say so (a warning, each try)
      if (t.suspended) throw new Error(`QuestDB table ${table} is suspended: its WAL is not applied (ALTER TABLE ${table} RESUME WAL)`);
      return applied.observe(now, t.writerTxn, t.sequencerTxn);
    };
    return { name, topic, read, visibleBefore };
  };
  const alerts = `${topicPrefix}${TOPICS.alerts}`;
  const commands = `${topicPrefix}${TOPICS.commands}`;
  return [
    quest("state"),
    quest("counts"),
    quest("vibration"),
    quest("metrics"),
    quest("oee"),
    {
      name: "alerts",
      topic: alerts,
      read: async (from, to, limit) => {
        const rows = await alertsChangedIn(deps.prisma, from, to, limit);
        return { records: alertRecords(alerts, rows), storedUs: rows.map((a) => a.updatedAt.getTime() * 1000) };
      },
    },
    {
      name: "commands",
      topic: commands,
      read: async (from, to, limit) => {
        const rows = await commandEventsIn(deps.prisma, from, to, limit);
        return { records: commandRecords(commands, rows), storedUs: rows.map((e) => e.at.getTime() * 1000) };
      },
    },
  ];
}

export interface ForwarderOptions {
  sources: ForwardSource[];
  sink: KafkaSink;
  cursor: ForwardCursorStore;
  batchRows: number;
  settleMs: number;
  pollMs: number;
  metrics?: ForwardMetrics;
  log: { warn: (o: object, m: string) => void; info: (o: object, m: string) => void };
  now?: () => number;
}

export interface Forwarder {
  /** per stream, the position (epoch ms) up to which every row is acknowledged by Kafka (committed in PostgreSQL at the latest IDLE_COMMIT_MS later) */
  positions(): Map<string, number>;
  stop(): Promise<void>;
}

const FIRST_WINDOW_MS = 60_000;
const MAX_WINDOW_MS = 2 ** 42;
/** An empty window's end is committed at most this often (the position a restart resumes from). */
const IDLE_COMMIT_MS = 30_000;

interface StreamState {
  until: number;
  committed: number;
  windowMs: number;
}

export async function startForwarder(o: ForwarderOptions): Promise<Forwarder> {
  const now = o.now ?? Date.now;
  const state = new Map<string, StreamState>();
  for (const s of o.sources) {
    // the position is the topic's: another topic prefix (another destination) starts from its own
    const until = (await o.cursor.get(s.topic)) ?? 0;
    state.set(s.name, { until, committed: until, windowMs: FIRST_WINDOW_MS });
  }
  let stopped = false;
  let wake: () => void = () => undefined;
  const sleep = (ms: number) =>
    new Promise<void>((r) => {
      const t = setTimeout(r, ms);
      wake = () => {
        clearTimeout(t);
        r();
      };
    });

  /** One batch of one stream; true when there may be more to read at once. */
  const step = async (s: ForwardSource): Promise<boolean> => {
    const st = state.get(s.name) as StreamState;
    const at = now();
    let end = at - o.settleMs;
    if (end <= st.until) return false;
    if (s.visibleBefore) {
      try {
        end = Math.min(end, (await s.visibleBefore(at)) - o.settleMs);
      } catch (e) {
        o.metrics?.error(s.name, "read");
        throw e;
      }
      if (end <= st.until) return false;
    }
    let to = Math.min(end, st.until + st.windowMs);
    const narrowest = to - st.until <= 1;
    let read: { records: KafkaRecord[]; storedUs: number[] };
    try {
      // a single millisecond is not split further: all its rows go in one batch
      read = await s.read(st.until, to, narrowest ? o.batchRows * 100 : o.batchRows + 1);
    } catch (e) {
      o.metrics?.error(s.name, "read");
      throw e;
    }
    let records = read.records;
    const overflow = records.length > o.batchRows && !narrowest;
    if (overflow) {
      // the window ends at the last whole millisecond before the first row past the batch
      const cut = Math.ceil((read.storedUs[o.batchRows] as number) / 1000) - 1;
      if (cut <= st.until) {
        st.windowMs = 1;
        return true;
      }
      const keep = read.storedUs.findIndex((us) => us > cut * 1000);
      records = records.slice(0, keep < 0 ? records.length : keep);
      to = cut;
      st.windowMs = to - st.until;
    }
    if (records.length > 0) {
      try {
        await o.sink.send(records);
      } catch (e) {
        o.metrics?.error(s.name, "send");
        throw e;
      }
    }
    if (records.length > 0 || to - st.committed >= IDLE_COMMIT_MS) {
      try {
        await o.cursor.commit(s.topic, to, records.length);
      } catch (e) {
        o.metrics?.error(s.name, "commit");
        throw e;
      }
      st.committed = to;
      if (records.length > 0) o.metrics?.sent(s.topic, records.length);
    }
    st.until = to;
    if (!overflow && records.length <= o.batchRows / 2) st.windowMs = Math.min(MAX_WINDOW_MS, st.windowMs * 2);
    return to < end;
  };

  const loop = (async () => {
    let failures = 0;
    while (!stopped) {
      let busy = false;
      for (const s of o.sources) {
        if (stopped) break;
        try {
          busy = (await step(s)) || busy;
          failures = 0;
        } catch (e) {
          failures++;
          // the uncommitted window is read again: its position did not move
          const st = state.get(s.name) as StreamState;
          st.until = st.committed;
          o.log.warn({ stream: s.name, err: (e as Error).message, failures }, "forwarding failed; the batch is tried again");
          await sleep(Math.min(30_000, o.pollMs * 2 ** Math.min(failures, 5)));
        }
      }
      if (!busy && !stopped) await sleep(o.pollMs);
    }
  })();

  return {
    positions: () => new Map([...state].map(([k, v]) => [k, v.until])),
    async stop() {
      stopped = true;
      wake();
      await loop;
    },
  };
}

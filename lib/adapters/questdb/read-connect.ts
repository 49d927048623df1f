// What has arrived from one machine since a moment (the "Connect a machine" page): the latest stored
// message of each telemetry channel received since then, and the dead letters of its topics, or of any
// topic, received since then. Parameterized.
import type pg from "pg";
import type { MachinePath } from "#lib/contract/identity.ts";
import { machineKey } from "#lib/contract/identity.ts";
import type { TelemetryChannel } from "#lib/contract/topics.ts";
import { UMH_PREFIX } from "#lib/contract/umh.ts";
import { TABLES } from "./tables.ts";

const CHANNEL_TABLES: [TelemetryChannel, string][] = [
  ["state", TABLES.state],
  ["counts", TABLES.counts],
  ["vibration", TABLES.vibration],
  ["waveform", TABLES.waveform],
  ["metrics", TABLES.metrics],
];

export interface ArrivedRow {
  channel: TelemetryChannel;
  ts: Date;
  receivedAt: Date;
  messages: number;
}

export interface DeadLetterRow {
  receivedAt: Date;
  topic: string;
  reason: string;
  bytes: number;
}

/** Per channel, how many rows of the machine were received since `since` and the latest of them. */
export async function arrivedSince(pool: pg.Pool, m: MachinePath, since: Date): Promise<ArrivedRow[]> {
  // ISO text: QuestDB does not read node-pg's serialization of a Date (a local time with an offset)
  const p = [m.enterprise, m.site, m.area, m.line, m.machine, since.toISOString()];
  // the device time may be anything within the accepted month; the designated timestamp bounds the scan
  const where = `enterprise = $1 AND site = $2 AND area = $3 AND line = $4 AND machine = $5 AND received_at >= $6 AND ts > dateadd('d', -32, now())`;
  const rows = await Promise.all(
    CHANNEL_TABLES.map(([channel, table]) =>
      pool
        .query<{ n: string | number; ts: Date | null; received_at: Date | null }>(
          `SELECT count() n, max(ts) ts, max(received_at) received_at FROM ${table} WHERE ${where}`,
          p,
        )
        .then((r) => ({ channel, row: r.rows[0] })),
    ),
  );
  return rows.flatMap(({ channel, row }) =>
    row && Number(row.n) > 0 && row.ts && row.received_at ? [{ channel, ts: row.ts, receivedAt: row.received_at, messages: Number(row.n) }] : [],
  );
}

/** Dead letters received since `since` (the latest 100), newest first: those of the machine's topics, and the others. */
export async function deadLettersSince(pool: pg.Pool, m: MachinePath, since: Date, limit = 5): Promise<{ machine: DeadLetterRow[]; other: DeadLetterRow[] }> {
  const prefix = `${machineKey(m)}/`;
  const { rows } = await pool.query<{ received_at: Date; topic: string | null; reason: string; payload_bytes: number }>(
    `SELECT received_at, topic, reason, payload_bytes FROM ${TABLES.deadLetters} WHERE received_at >= $1 ORDER BY received_at DESC LIMIT 100`,
    [since.toISOString()],
  );
  const all = rows.map((x) => ({ receivedAt: x.received_at, topic: x.topic ?? "", reason: x.reason, bytes: Number(x.payload_bytes) }));
  // the machine's own topics, and the same machine in the UMH data model (lib/contract/umh.ts)
  const mine = (t: string) => t.startsWith(prefix) || t.startsWith(`${UMH_PREFIX}/${prefix}`);
  return { machine: all.filter((d) => mine(d.topic)).slice(0, limit), other: all.filter((d) => !mine(d.topic)).slice(0, limit) };
}

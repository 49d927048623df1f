// What the predictive-maintenance scans read from QuestDB: a machine's vibration features and
// waveform snapshots in (since, until], oldest first, at most `limit` rows (the rest wait for the
// next scan, which starts from the last row read).
import type pg from "pg";
import type { MachinePath } from "#lib/contract/identity.ts";
import { MESSAGE_FEATURES, type MessageFeature } from "#lib/domain/pdm/features.ts";
import { TABLES } from "./tables.ts";

const MACHINE_SINCE = "enterprise = $1 AND site = $2 AND area = $3 AND line = $4 AND machine = $5 AND ts > $6 AND ts <= $7";

const params = (p: MachinePath, since: number, until: number) => [
  p.enterprise,
  p.site,
  p.area,
  p.line,
  p.machine,
  new Date(since).toISOString(),
  new Date(until).toISOString(),
];

/** One vibration message's features (those it carried). */
export interface FeatureRow {
  ts: number;
  values: Partial<Record<MessageFeature, number>>;
  /** the shaft speed the message carried (rpm), a context for the multivariate detector */
  speedRpm?: number;
}

export async function featureRowsSince(pool: pg.Pool, p: MachinePath, since: number, until: number, limit = 20_000): Promise<FeatureRow[]> {
  const { rows } = await pool.query(
    `SELECT ts, ${MESSAGE_FEATURES.join(", ")}, speed_rpm FROM ${TABLES.vibration} WHERE ${MACHINE_SINCE} ORDER BY ts LIMIT ${Math.trunc(limit)}`,
    params(p, since, until),
  );
  return rows.map((r) => {
    const values: FeatureRow["values"] = {};
    for (const f of MESSAGE_FEATURES) {
      const v = r[f];
      if (v !== null && v !== undefined) values[f] = Number(v);
    }
    const speed = r.speed_rpm;
    return { ts: (r.ts as Date).getTime(), values, ...(speed !== null && speed !== undefined ? { speedRpm: Number(speed) } : {}) };
  });
}

/** One waveform snapshot as stored; `samples` is null when the row holds no array. */
export interface SnapshotRow {
  ts: number;
  unit: string;
  sampleRateHz: number;
  speedRpm?: number;
  samples: number[] | null;
}

export async function snapshotRowsSince(pool: pg.Pool, p: MachinePath, since: number, until: number, limit = 500): Promise<SnapshotRow[]> {
  const { rows } = await pool.query(
    `SELECT ts, unit, sample_rate_hz, speed_rpm, samples FROM ${TABLES.waveform} WHERE ${MACHINE_SINCE} ORDER BY ts LIMIT ${Math.trunc(limit)}`,
    params(p, since, until),
  );
  return rows.map((r) => ({
    ts: (r.ts as Date).getTime(),
    unit: r.unit as string,
    sampleRateHz: Number(r.sample_rate_hz),
    ...(r.speed_rpm !== null && r.speed_rpm !== undefined ? { speedRpm: Number(r.speed_rpm) } : {}),
    samples: Array.isArray(r.samples) ? (r.samples as number[]) : null,
  }));
}

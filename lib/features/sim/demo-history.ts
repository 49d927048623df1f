// `andon up`'s first start: the demo plant's last days, published through the real path before the
// live simulator starts (README "A week of history on the first start"). Later starts find the marker in
// ANDON_HOME and keep what is there; the live simulation continues from now.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { saveDemoActions } from "#lib/adapters/db/demo-actions.ts";
import { resetOeeCursors } from "#lib/adapters/db/oee-cursor.ts";
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { readMetric } from "#lib/adapters/http/metrics-server.ts";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { redisWatermark } from "#lib/adapters/queues/oee.ts";
import { redisConnection } from "#lib/adapters/queues/redis.ts";
import { featureStateKey } from "#lib/features/pdm/scan.ts";
import { waveformStateKey } from "#lib/features/pdm/waveform-scan.ts";
import type { Config } from "#lib/platform/config.ts";
import { publishHistory } from "./history.ts";
import { DEMO_PEOPLE, HistoryActions } from "./history-actions.ts";
import { ingestPace } from "./paced.ts";
import { parseDegrade } from "./run.ts";

const DAY = 86_400_000;

export interface HistoryMarker {
  from: string;
  to: string;
  seed: number;
  messages: number;
  seconds: number;
}

export const historyMarkerFile = (home: string) => join(home, "history.json");

/** The marker, and whether this start filled the history (false: an earlier start did). */
export type HistoryFill = HistoryMarker & { filled: boolean };

export function readHistoryMarker(home: string): HistoryMarker | undefined {
  const f = historyMarkerFile(home);
  return existsSync(f) ? (JSON.parse(readFileSync(f, "utf8")) as HistoryMarker) : undefined;
}

function bar(fraction: number, width = 30): string {
  const full = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `${"█".repeat(full)}${"░".repeat(width - full)}`;
}

/**
 * Fills SIM_HISTORY_DAYS of history once per ANDON_HOME and waits until the ingest worker has
 * written it. Returns the marker (also when an earlier start wrote it), or undefined when off.
 */
export async function fillDemoHistory(cfg: Config, machines: readonly MachineInfo[], say: (m: string) => void): Promise<HistoryFill | undefined> {
  if (cfg.SIM_HISTORY_DAYS === 0 || machines.length === 0) return undefined;
  const existing = readHistoryMarker(cfg.ANDON_HOME);
  if (existing) {
    say(`history: ${existing.from.slice(0, 10)} to ${existing.to.slice(0, 16)} kept from the first start (${historyMarkerFile(cfg.ANDON_HOME)})`);
    return { ...existing, filled: false };
  }
  const started = Date.now();
  const to = Math.floor(started / 60_000) * 60_000;
  // from a UTC midnight 12 h early, so every site's first local day (UTC-12 to UTC+12) is whole
  const from = Math.floor((to - cfg.SIM_HISTORY_DAYS * DAY) / DAY) * DAY - DAY / 2;
  const span = { from, to, stepMs: cfg.SIM_HISTORY_STEP_S * 1000, vibrationEvery: 2 };
  const degrade = cfg.SIM_HISTORY_DEGRADE === "none" ? new Map<string, number>() : parseDegrade(cfg.SIM_HISTORY_DEGRADE, [...machines]);
  // the broker drops what it cannot queue for the ingest worker: stay at most 500 messages ahead of it
  const pace = await ingestPace(cfg.INGEST_METRICS_PORT, 500);
  say(
    `history: filling the last ${cfg.SIM_HISTORY_DAYS} days of ${machines.length} machines through MQTT and the ingest (first start only; SIM_HISTORY_DAYS=0: off)`,
  );
  let shown = -1; // the last tenth shown
  const actions = new HistoryActions(machines, span, { seed: cfg.SIM_SEED, degrade });
  const messages = await publishHistory(cfg, machines, span, {
    seed: cfg.SIM_SEED,
    degrade,
    actions,
    ...(pace ? { pace } : {}),
    progress: (p) => {
      const pct = Math.floor(100 * p.fraction);
      if (Math.floor(pct / 10) > shown) {
        shown = Math.floor(pct / 10);
        say(`history: ${bar(p.fraction)} ${pct} % (${p.published} messages, device time ${new Date(p.at).toISOString().slice(0, 16)})`);
      }
    },
  });
  // every message reached the ingest worker (it acknowledges each once its row is durable)
  if (pace) {
    const deadline = Date.now() + 5 * 60_000;
    let got = await pace.received();
    while (got < messages && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      got = await pace.received();
    }
    if (got < messages) say(`history: the ingest worker received ${got} of ${messages} messages in 5 min; going on (see logs/ingest.log)`);
    // durable (nothing pending in the worker), then visible to queries (QuestDB's WAL applied): the
    // OEE catch-up computes each bucket once, and must not read it half-applied
    while ((await readMetric(cfg.INGEST_METRICS_PORT, "andon_ingest_pending_messages")) > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const pool = questPool(cfg.QUESTDB_PG_URL, cfg.QUESTDB_PG_PASSWORD);
    try {
      await waitWalApplied(pool, [TABLES.state, TABLES.counts, TABLES.vibration], 120_000);
    } catch (e) {
      say(`history: ${(e as Error).message}; going on`);
    } finally {
      await pool.end();
    }
  } else say("history: the ingest worker's metrics cannot be read (INGEST_METRICS_PORT=0?): published without pacing, the broker may drop some");
  // the OEE worker computes the history by its catch-up (oldest first, progress on the ingest page),
  // not once more from the late marks the ingest wrote for every minute of it
  // (minutes for the last day only: they feed the live trends; 7 days of them would hold the rest up)
  const prisma = prismaFor(cfg.DATABASE_URL);
  // what people did meanwhile, stored before the OEE worker computes the history (its catch-up reads the reasons)
  const saved = await saveDemoActions(prisma, actions);
  say(`history: ${saved.edits} downtime reasons given after the fact by ${DEMO_PEOPLE.plantManager}, ${saved.commands} commands with their answers`);
  await resetOeeCursors(prisma, cfg.QUEUE_PREFIX, ["minute"], Math.max(span.from, span.to - DAY));
  await resetOeeCursors(prisma, cfg.QUEUE_PREFIX, ["hour", "shift", "day"], span.from);
  const redis = redisConnection(cfg, { maxRetriesPerRequest: 2 });
  try {
    await redisWatermark(redis, cfg.QUEUE_PREFIX).set(Date.now());
    // and the PdM scans learn from the history: no detector state from an earlier stack on this Redis
    const stale = machines.flatMap((m) => [featureStateKey(cfg.QUEUE_PREFIX, m.key), waveformStateKey(cfg.QUEUE_PREFIX, m.key)]);
    await redis.del(...stale);
  } finally {
    redis.disconnect();
  }
  const marker: HistoryMarker = {
    from: new Date(span.from).toISOString(),
    to: new Date(span.to).toISOString(),
    seed: cfg.SIM_SEED,
    messages,
    seconds: Math.round((Date.now() - started) / 1000),
  };
  writeFileSync(historyMarkerFile(cfg.ANDON_HOME), `${JSON.stringify(marker, null, 2)}\n`);
  say(`history: ${messages} messages in ${marker.seconds} s; the OEE and PdM workers compute it now (the ingest page shows their progress)`);
  return { ...marker, filled: true };
}

// The demo plant's past: days of simulated telemetry published through the real path (MQTT, the
// ingest worker, QuestDB; then the OEE and PdM jobs read it like any late data), with the device
// timestamps of the past. Deterministic for a seed: the same seed, plant and span give the same
// messages. One bearing degrades and fails in the middle of the span and is replaced, so the alert
// inbox has a history. What people did meanwhile (reasons given after the fact, commands carried out
// or refused by the simulated PLCs) is decided along the way by ./history-actions.ts.
import mqtt from "mqtt";
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { mqttOptions } from "#lib/adapters/mqtt/options.ts";
import { telemetryTopic } from "#lib/contract/topics.ts";
import type { Config } from "#lib/platform/config.ts";
import type { HistoryActions } from "./history-actions.ts";
import { MachineSim } from "./machine.ts";
import { type Pace, type PacedMessage, publishPaced } from "./paced.ts";

export interface HistorySpan {
  from: number;
  to: number;
  /** one simulator tick per machine this often (ms): state changes and counts */
  stepMs: number;
  /** vibration features every Nth tick */
  vibrationEvery: number;
}

export type HistoryMessage = PacedMessage;

/** The span's messages, time-major (every machine at one instant, then the next), as a gateway would send them. */
export function* historyMessages(
  machines: readonly MachineInfo[],
  span: HistorySpan,
  o: { seed: number; degrade?: ReadonlyMap<string, number>; actions?: HistoryActions },
): Generator<HistoryMessage> {
  const sims = machines.map((m) => {
    const hours = o.degrade?.get(m.key);
    // the live simulator's seed: the same machines (baselines, count modes), so the present continues the past
    return new MachineSim(m, { seed: o.seed, waveformEvery: 0, ...(hours ? { degradeToFailureMs: hours * 3_600_000 } : {}) });
  });
  let tick = 0;
  for (let t = span.from; t < span.to; t += span.stepMs, tick++) {
    for (const sim of sims) {
      o.actions?.beforeTick(sim, t);
      for (const msg of sim.tick(t)) {
        o.actions?.observe(sim, msg, t);
        if (msg.channel === "vibration" && tick % span.vibrationEvery !== 0) continue;
        yield { topic: telemetryTopic(sim.machine.path, msg.channel), payload: JSON.stringify(msg.payload), at: t };
      }
    }
  }
}

export interface FillProgress {
  published: number;
  /** the share of the span's device time published */
  fraction: number;
  /** the device time reached */
  at: number;
}

/**
 * Publishes the span over MQTT (QoS 1, at most `window` unacknowledged), calling `progress` now and
 * then. Resolves once the broker acknowledged every message.
 */
export async function publishHistory(
  cfg: Config,
  machines: readonly MachineInfo[],
  span: HistorySpan,
  o: {
    seed: number;
    degrade?: ReadonlyMap<string, number>;
    /** decides what people did along the way (./history-actions.ts) */
    actions?: HistoryActions;
    progress?: (p: FillProgress) => void;
    /** unacknowledged publishes at most */
    window?: number;
    /** stay at most `maxAhead` messages ahead of the ingest worker (./paced.ts) */
    pace?: Pace;
  },
): Promise<number> {
  const client = await mqtt.connectAsync(cfg.MQTT_URL, mqttOptions(cfg, { clientId: `andon-history-${process.pid}`, clean: true }));
  try {
    let lastReport = 0;
    const published = await publishPaced(client, historyMessages(machines, span, o), {
      ...(o.window ? { window: o.window } : {}),
      ...(o.pace ? { pace: o.pace } : {}),
      onPublished: (n, m) => {
        if (n - lastReport < 5000) return;
        lastReport = n;
        o.progress?.({ published: n, fraction: (m.at - span.from) / (span.to - span.from), at: m.at });
      },
    });
    o.progress?.({ published, fraction: 1, at: span.to });
    return published;
  } finally {
    await client.endAsync();
  }
}

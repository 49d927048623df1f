// Run-to-failure on the simulator, without MQTT, QuestDB or PostgreSQL: a span of the demo plant's
// history (historyMessages: the messages the first start publishes, with their device times), parsed by
// the MQTT contract as ingest parses them, then scanned every `scanEveryMs` of device time by the
// production scan loop (watermark-scan.ts's scanLoop: the same sources, detectors, state-awareness,
// 10-minute signal stretches, JSON state store) into an in-memory alert book with the production
// alert rules (lib/domain/pdm/alert-book.ts). What it reports: for each bearing failure, the lead
// time of the first alert (and of the zone D alert); for every other machine, and for the degraded
// machines after their repair, the alerts that should not have been raised.
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import type { FeatureRow } from "#lib/adapters/questdb/pdm-telemetry.ts";
import { parsePayload } from "#lib/contract/payloads.ts";
import type { TelemetryChannel } from "#lib/contract/topics.ts";
import { DEFAULT_MAPPING } from "#lib/domain/oee/mapping.ts";
import type { StateEvent } from "#lib/domain/oee/types.ts";
import { AlertBook, type BookEvent } from "#lib/domain/pdm/alert-book.ts";
import { QUIET_MS } from "#lib/domain/pdm/alert-rules.ts";
import { MESSAGE_FEATURES } from "#lib/domain/pdm/features.ts";
import { runningCursorOver, runningMsOver } from "#lib/features/pdm/running.ts";
import { type ScanIo, type ScanSource, type ScanStore, scanLoop } from "#lib/features/pdm/watermark-scan.ts";
import { type HistorySpan, historyMessages } from "#lib/features/sim/history.ts";

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;

export interface RunToFailureSpec {
  machines: readonly MachineInfo[];
  span: HistorySpan;
  seed: number;
  /** machine key → hours from the span's start to the bearing's failure (as SIM_HISTORY_DEGRADE) */
  degrade: ReadonlyMap<string, number>;
  /** the scans run this often (device time); the pdm worker's scheduler: every 30 s */
  scanEveryMs: number;
}

export interface FailureOutcome {
  machineKey: string;
  degradeHours: number;
  /** the bearing failure (its state change), undefined when it did not fail in the span */
  failedAt?: number;
  /** the first state change after the failure (the repair) */
  repairedAt?: number;
  /** the first alert opened on the machine before its failure */
  firstAlert?: { cause: string; at: number; detector: string };
  /** the first zone D (critical) alert */
  zoneDAt?: number;
  /** hours from the first alert to the failure (undefined: no alert before it) */
  leadHours?: number;
  leadToZoneDHours?: number;
}

export interface RunToFailureResult {
  failures: FailureOutcome[];
  /** alerts opened or reopened on healthy machines, and on degraded machines after their repair */
  falseAlerts: { machineKey: string; cause: string; at: number; change: string; explanation: string }[];
  healthyMachines: number;
  /** healthy machine-weeks: the healthy machines × the span in weeks */
  healthyMachineWeeks: number;
  events: BookEvent[];
  samples: number;
  scans: number;
}

class MemoryStore implements ScanStore {
  readonly #m = new Map<string, string>();
  async get(key: string): Promise<string | null> {
    return this.#m.get(key) ?? null;
  }
  async set(key: string, value: string): Promise<void> {
    this.#m.set(key, value);
  }
}

interface MachineFeed {
  m: MachineInfo;
  rows: FeatureRow[];
  /** rows before this index are at or before the last watermark asked for */
  from: number;
  states: StateEvent[];
}

/** Runs the sources' scans over the span; `sources` share the alert book, as the pdm worker's scans share PostgreSQL. */
export async function runToFailure(spec: RunToFailureSpec, sources: readonly ScanSource<FeatureRow, unknown>[]): Promise<RunToFailureResult> {
  const feeds = new Map<string, MachineFeed>(spec.machines.map((m) => [m.key, { m, rows: [], from: 0, states: [] }]));
  const book = new AlertBook();
  const store = new MemoryStore();
  const io: ScanIo<FeatureRow> = {
    store,
    async read(m, since, until) {
      const f = feeds.get(m.key) as MachineFeed;
      while (f.from < f.rows.length && (f.rows[f.from] as FeatureRow).ts <= since) f.from++;
      const out: FeatureRow[] = [];
      for (let i = f.from; i < f.rows.length && (f.rows[i] as FeatureRow).ts <= until; i++) out.push(f.rows[i] as FeatureRow);
      return out;
    },
    async runningAt(m) {
      const f = feeds.get(m.key) as MachineFeed;
      return runningCursorOver(f.states, m.lossMapping ?? DEFAULT_MAPPING);
    },
    async raise(s) {
      return book.raise(s);
    },
    async autoClear(now, quietMs, keys) {
      return book.autoClear(now, quietMs, keys, (key, since) => {
        const f = feeds.get(key);
        return f ? runningMsOver(f.states, since, now, f.m.lossMapping ?? DEFAULT_MAPPING) : 0;
      });
    },
  };
  let scans = 0;
  const scanAt = async (now: number) => {
    for (const source of sources) await scanLoop(source, io, { machines: spec.machines, keyPrefix: "rtf", quietMs: QUIET_MS, now });
    scans++;
  };
  let nextScan = spec.span.from + spec.scanEveryMs;
  let samples = 0;
  const failures = new Map<string, { failedAt?: number; repairedAt?: number }>();
  for (const msg of historyMessages(spec.machines, spec.span, { seed: spec.seed, degrade: spec.degrade })) {
    while (msg.at > nextScan) {
      await scanAt(nextScan);
      nextScan += spec.scanEveryMs;
    }
    const slash = msg.topic.lastIndexOf("/");
    const key = msg.topic.slice(0, slash);
    const channel = msg.topic.slice(slash + 1) as TelemetryChannel;
    const f = feeds.get(key);
    if (!f) throw new Error(`runToFailure: a message of an unknown machine ${key}`);
    const parsed = parsePayload(channel, Buffer.from(msg.payload));
    if (!parsed.ok) throw new Error(`runToFailure: ${msg.topic}: ${parsed.reason}`);
    const t = parsed.value;
    if (t.channel === "state") {
      const ts = Math.floor(t.msg.ts / 1000);
      f.states.push({ ts, state: t.msg.state, ...(t.msg.code !== undefined ? { code: t.msg.code } : {}), ...(t.msg.reason ? { reason: t.msg.reason } : {}) });
      const fail = failures.get(key);
      if (t.msg.reason === "bearing failure" && !fail?.failedAt) failures.set(key, { failedAt: ts });
      else if (fail?.failedAt !== undefined && fail.repairedAt === undefined && t.msg.reason !== "bearing failure") fail.repairedAt = ts;
    } else if (t.channel === "vibration") {
      const values: FeatureRow["values"] = {};
      for (const name of MESSAGE_FEATURES) {
        const v = t.msg[name];
        if (v !== undefined) values[name] = v;
      }
      f.rows.push({ ts: Math.floor(t.msg.ts / 1000), values, ...(t.msg.speed_rpm !== undefined ? { speedRpm: t.msg.speed_rpm } : {}) });
      samples++;
    }
  }
  while (nextScan <= spec.span.to) {
    await scanAt(nextScan);
    nextScan += spec.scanEveryMs;
  }
  return summarize(spec, book, samples, scans, failures);
}

function summarize(
  spec: RunToFailureSpec,
  book: AlertBook,
  samples: number,
  scans: number,
  failures: Map<string, { failedAt?: number; repairedAt?: number }>,
): RunToFailureResult {
  const raised = book.events.filter((e) => e.change === "opened" || e.change === "reopened");
  const out: FailureOutcome[] = [];
  for (const [key, hours] of spec.degrade) {
    const f = failures.get(key) ?? {};
    const mine = raised.filter((e) => e.alert.machineKey === key);
    const first = mine.find((e) => f.failedAt === undefined || e.at <= f.failedAt);
    const zoneD = book.events.find(
      (e) => e.alert.machineKey === key && e.alert.cause.startsWith("zone:") && e.alert.severity === "CRITICAL" && e.change !== "cleared",
    );
    out.push({
      machineKey: key,
      degradeHours: hours,
      ...(f.failedAt !== undefined ? { failedAt: f.failedAt } : {}),
      ...(f.repairedAt !== undefined ? { repairedAt: f.repairedAt } : {}),
      ...(first ? { firstAlert: { cause: first.alert.cause, at: first.at, detector: first.alert.detectorVersion } } : {}),
      ...(zoneD ? { zoneDAt: zoneD.at } : {}),
      ...(first && f.failedAt !== undefined ? { leadHours: (f.failedAt - first.at) / HOUR } : {}),
      ...(first && zoneD ? { leadToZoneDHours: (zoneD.at - first.at) / HOUR } : {}),
    });
  }
  const repairedAt = new Map(out.map((o) => [o.machineKey, o.repairedAt]));
  const falseAlerts = raised
    .filter((e) => {
      if (!spec.degrade.has(e.alert.machineKey)) return true;
      const r = repairedAt.get(e.alert.machineKey);
      return r !== undefined && e.at > r;
    })
    .map((e) => ({ machineKey: e.alert.machineKey, cause: e.alert.cause, at: e.at, change: e.change, explanation: e.alert.explanation }));
  const healthyMachines = spec.machines.filter((m) => !spec.degrade.has(m.key)).length;
  return {
    failures: out,
    falseAlerts,
    healthyMachines,
    healthyMachineWeeks: (healthyMachines * (spec.span.to - spec.span.from)) / WEEK,
    events: book.events,
    samples,
    scans,
  };
}

/** The lines a test or a command prints. */
export function describeRunToFailure(label: string, spec: RunToFailureSpec, r: RunToFailureResult): string[] {
  const h = (ms: number) => ((ms - spec.span.from) / HOUR).toFixed(2);
  const lines = r.failures.map((f) => {
    const failed = f.failedAt === undefined ? "no failure in the span" : `failed at ${h(f.failedAt)} h`;
    const alert = f.firstAlert ? `first alert ${f.firstAlert.cause} (${f.firstAlert.detector}) at ${h(f.firstAlert.at)} h` : "no alert before it";
    const lead = f.leadHours === undefined ? "lead n/a" : `lead ${f.leadHours.toFixed(2)} h`;
    const zoneD = f.zoneDAt === undefined ? "no zone D alert" : `zone D at ${h(f.zoneDAt)} h (${(f.leadToZoneDHours ?? 0).toFixed(2)} h after the first alert)`;
    return `${label}: ${f.machineKey} (${f.degradeHours} h to failure): ${failed}; ${alert}; ${lead}; ${zoneD}`;
  });
  for (const a of r.falseAlerts.slice(0, 10)) lines.push(`${label}: false alert ${a.change} ${a.machineKey} ${a.cause} at ${h(a.at)} h: ${a.explanation}`);
  if (r.falseAlerts.length > 10) lines.push(`${label}: … and ${r.falseAlerts.length - 10} more false alerts`);
  const leads = r.failures.map((f) => (f.leadHours === undefined ? "none" : f.leadHours.toFixed(2)));
  lines.push(
    `${label}: run-to-failure lead_h=${leads.join(",")} false_alerts=${r.falseAlerts.length} healthy_machine_weeks=${r.healthyMachineWeeks.toFixed(1)} false_per_machine_week=${(r.falseAlerts.length / r.healthyMachineWeeks).toFixed(3)} samples=${r.samples} scans=${r.scans}`,
  );
  return lines;
}

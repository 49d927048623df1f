// The alert lifecycle of lib/features/pdm/alerts.ts (raise: open, update, escalate or reopen; clear
// after the quiet time of running) kept in memory, with the same rules (alert-rules.ts), and every change
// recorded. For the run-to-failure harness (lib/dev/run-to-failure.ts), which needs the
// alerts a week of scans would have left in PostgreSQL without a database. People's actions
// (acknowledge, assign, resolve) are not part of it: nobody acts on a simulated week.
import { type AlertSignal, escalates, FLAP_WINDOW_MS, flapSince, quietBefore, quietLongEnough, reopenedSeverity, type Severity } from "./alert-rules.ts";

export type BookChange = "opened" | "escalated" | "reopened" | "cleared";

export interface BookAlert {
  id: number;
  machineKey: string;
  cause: string;
  feature: string;
  severity: Severity;
  status: "OPEN" | "CLEARED";
  onsetAt: number;
  lastSeenAt: number;
  clearedAt?: number;
  flaps: number;
  /** the latest signal's */
  value: number;
  baseline?: number;
  zone?: string;
  explanation: string;
  suggestedAction: string;
  detectorVersion: string;
}

export interface BookEvent {
  change: BookChange;
  at: number;
  alert: Readonly<BookAlert>;
}

export class AlertBook {
  readonly alerts: BookAlert[] = [];
  readonly events: BookEvent[] = [];
  readonly #flapWindowMs: number;

  constructor(flapWindowMs = FLAP_WINDOW_MS) {
    this.#flapWindowMs = flapWindowMs;
  }

  #record(change: BookChange, at: number, a: BookAlert): void {
    this.events.push({ change, at, alert: { ...a } });
  }

  /** raiseAlert's decision: update the active alert of the machine and cause, else reopen one cleared within the flap window, else open one. */
  raise(s: AlertSignal): BookChange | "updated" {
    const seen = {
      value: s.value,
      ...(s.baseline !== undefined ? { baseline: s.baseline } : {}),
      ...(s.zone !== undefined ? { zone: s.zone } : {}),
      explanation: s.explanation,
      suggestedAction: s.suggestedAction,
      lastSeenAt: s.at,
    };
    const mine = this.alerts.filter((a) => a.machineKey === s.machineKey && a.cause === s.cause);
    const active = mine.find((a) => a.status === "OPEN");
    if (active) {
      Object.assign(active, seen);
      if (!escalates(active.severity, s.severity)) return "updated";
      active.severity = s.severity;
      this.#record("escalated", s.at, active);
      return "escalated";
    }
    const since = flapSince(s.at, this.#flapWindowMs);
    const recent = mine.filter((a) => a.clearedAt !== undefined && a.clearedAt >= since).sort((a, b) => (b.clearedAt as number) - (a.clearedAt as number))[0];
    if (recent) {
      Object.assign(recent, seen, { status: "OPEN", flaps: recent.flaps + 1, severity: reopenedSeverity(recent.severity, s.severity) });
      delete recent.clearedAt;
      this.#record("reopened", s.at, recent);
      return "reopened";
    }
    const a: BookAlert = {
      id: this.alerts.length + 1,
      machineKey: s.machineKey,
      cause: s.cause,
      feature: s.feature,
      severity: s.severity,
      status: "OPEN",
      onsetAt: s.at,
      flaps: 0,
      detectorVersion: s.detectorVersion,
      ...seen,
    };
    this.alerts.push(a);
    this.#record("opened", s.at, a);
    return "opened";
  }

  /**
   * autoClear's decision: the active alerts of these machines last seen more than quietMs before now
   * (and, with `runningMs`, whose machine has produced that long since) are cleared at now.
   */
  autoClear(now: number, quietMs: number, machineKeys?: readonly string[], runningMs?: (machineKey: string, since: number) => number): number {
    const before = quietBefore(now, quietMs);
    const keys = machineKeys ? new Set(machineKeys) : undefined;
    let n = 0;
    for (const a of this.alerts) {
      if (a.status !== "OPEN" || a.lastSeenAt >= before || (keys && !keys.has(a.machineKey))) continue;
      if (runningMs && !quietLongEnough(runningMs(a.machineKey, a.lastSeenAt), quietMs)) continue;
      a.status = "CLEARED";
      a.clearedAt = now;
      this.#record("cleared", now, a);
      n++;
    }
    return n;
  }
}

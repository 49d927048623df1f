// The remaining-useful-life forecast of a machine: its velocity RMS measured while running over the
// last hours (QuestDB, filtered by its state changes), fitted by lib/domain/pdm/rul.ts.

import type pg from "pg";
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { featureRowsSince } from "#lib/adapters/questdb/pdm-telemetry.ts";
import { forecastCrossing, RUL_DEFAULTS, type RulForecast, type VelocityPoint } from "#lib/domain/pdm/rul.ts";
import { ZONE_LIMITS, zoneOf } from "#lib/domain/vibration/iso10816.ts";
import { runningCursor } from "./running.ts";

const LONGEST = Math.max(...RUL_DEFAULTS.windowsMs);

/** The machine's velocity measured while running in (now - longest window, now]. */
export async function runningVelocity(pool: pg.Pool, m: MachineInfo, now: number): Promise<VelocityPoint[]> {
  const rows = await featureRowsSince(pool, m.path, now - LONGEST, now);
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (!first || !last) return [];
  const running = await runningCursor(pool, m, first.ts, last.ts);
  const out: VelocityPoint[] = [];
  for (const r of rows) {
    const v = r.values.velocity_rms_mm_s;
    if (v !== undefined && running(r.ts)) out.push({ ts: r.ts, v });
  }
  return out;
}

/**
 * The machine's forecast. `measuredZone`: the zone an alert measured; without one (the machine page),
 * the zone of the latest velocity measured while running, so the page forecasts what the alert does.
 */
export async function machineForecast(pool: pg.Pool, m: MachineInfo, now = Date.now(), measuredZone?: string): Promise<RulForecast> {
  const history = await runningVelocity(pool, m, now);
  const latest = history.reduce<VelocityPoint | undefined>((a, p) => (!a || p.ts > a.ts ? p : a), undefined);
  const zone = measuredZone ?? (latest ? zoneOf(latest.v, m.vibrationGroup, m.foundation) : undefined);
  return forecastCrossing(history, ZONE_LIMITS[m.vibrationGroup][m.foundation], now, zone ? { measuredZone: zone } : {});
}

/**
 * The forecasts of the machines a scan raises alerts on, read at most once a minute per machine:
 * the `forecast` hook of the alert dependencies.
 */
export function forecastHook(pool: pg.Pool, machines: () => Promise<readonly MachineInfo[]> | readonly MachineInfo[], maxAgeMs = 60_000) {
  const cache = new Map<string, { at: number; f: RulForecast }>();
  return async (machineKey: string, at: number, measuredZone?: string): Promise<RulForecast | undefined> => {
    const key = `${machineKey}@${measuredZone ?? ""}`;
    const hit = cache.get(key);
    if (hit && Math.abs(hit.at - at) < maxAgeMs) return hit.f;
    const m = (await machines()).find((x) => x.key === machineKey);
    if (!m) return undefined;
    const f = await machineForecast(pool, m, at, measuredZone);
    cache.set(key, { at, f });
    return f;
  };
}

// Which machine the live demo's accelerated bearing degradation runs on (`andon up`, SIM_DEMO_DEGRADE):
// the configured one when its line has a shift for the whole degradation, else the machine of the same
// name (pump-01) on the first line that has, so a first start on a Saturday (Dresden works Monday to
// Friday) still shows a real alert; none when no line has one (in the seeded demo plant there always is:
// Pune's filling line 2 works seven days a week).
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { planStatus } from "./calendar.ts";

const MINUTE = 60_000;

/** True when the machine's line is producing (not in a break, not off shift) at every minute of [from, from + forMs]. */
export function producingThroughout(m: MachineInfo, from: number, forMs: number): boolean {
  for (let t = from; t <= from + forMs; t += MINUTE) if (planStatus(t, m.timeZone, m.shifts).kind !== "production") return false;
  return true;
}

export type DemoChoice = { machine: MachineInfo; instead?: MachineInfo } | { machine?: undefined; idle: MachineInfo };

/**
 * `forMs`: the degradation's time to failure and a margin. `avoid`: machines a stand-in must not be (the
 * history's degrading bearing: it failed and was replaced in the filled week, and its alerts are the
 * history's; the live demo on it showed no alert in a first-start run on a Saturday evening).
 */
export function demoMachine(
  configured: MachineInfo,
  machines: readonly MachineInfo[],
  now: number,
  forMs: number,
  avoid: ReadonlySet<string> = new Set(),
): DemoChoice {
  if (producingThroughout(configured, now, forMs)) return { machine: configured };
  const other = machines.find(
    (m) => m.key !== configured.key && !avoid.has(m.key) && m.path.machine === configured.path.machine && producingThroughout(m, now, forMs),
  );
  return other ? { machine: other, instead: configured } : { idle: configured };
}

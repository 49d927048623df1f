// What people did during the demo plant's past, decided while the history is simulated (./history.ts),
// so it fits what the machines did: a plant manager giving reasons after the fact to waits the PLC
// left unexplained, and a few commands the simulated PLCs carried out or refused — an inspection
// requested on the degrading bearing, a fault reset that the failed bearing refuses, a reset that
// works, a cleaning stop and restart, a speed outside a machine's range. Deterministic for a seed: the
// same seed, plant and span decide the same actions. Stored by lib/adapters/db/demo-actions.ts.
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import type { CommandType } from "#lib/contract/commands.ts";
import type { CommandOutcome, MachineSim, SimMessage } from "./machine.ts";
import { hashSeed, mulberry32, type Rng, uniform } from "./prng.ts";

const MINUTE = 60_000;

/** The demo's people (shown as actors in the command history, the audit log and the reason edits). */
export const DEMO_PEOPLE = { plantManager: "demo.plant-manager", maintenance: "demo.maintenance" } as const;

/** Why a wait happened, as a plant manager finds out afterwards. */
const AFTER_THE_FACT = [
  "waiting for material from the warehouse",
  "waiting for the forklift",
  "operator called to another machine",
  "first-piece quality check",
  "waiting for the setter",
  "shift handover",
] as const;

export interface HistoryReasonEdit {
  machine: MachineInfo;
  start: number;
  end: number;
  reason: string;
  /** who gave it, and when */
  by: string;
  at: number;
}

export interface HistoryCommand {
  machine: MachineInfo;
  type: CommandType;
  params: Record<string, unknown>;
  requestedBy: string;
  /** when it was requested (and carried out: the PLC answers within a second) */
  at: number;
  outcome: CommandOutcome;
}

interface Planned {
  at: number;
  type: CommandType;
  params: Record<string, unknown>;
  by: string;
}

export interface HistoryActionOptions {
  seed: number;
  /** the machines whose bearing degrades in the history (key → hours to failure) */
  degrade?: ReadonlyMap<string, number>;
}

/**
 * Fed by the history's loop: `beforeTick` carries out the commands due at a machine's tick, `observe`
 * sees what it published. `edits` and `commands` hold what was decided.
 */
export class HistoryActions {
  readonly edits: HistoryReasonEdit[] = [];
  readonly commands: HistoryCommand[] = [];
  readonly #rng: Rng;
  readonly #planned = new Map<string, Planned[]>();
  /** each machine's current state as it published it */
  readonly #state = new Map<string, { state: string; reason: string | undefined; since: number }>();
  /** machines whose first breakdown after `resetFrom` gets a remote reset */
  readonly #resetAfter = new Map<string, number>();

  constructor(
    machines: readonly MachineInfo[],
    private readonly span: { from: number; to: number },
    private readonly o: HistoryActionOptions,
  ) {
    this.#rng = mulberry32(hashSeed(o.seed, "demo-people"));
    if (machines.length === 0) return;
    const bySite = new Map<string, MachineInfo[]>();
    for (const m of machines) bySite.set(m.site, [...(bySite.get(m.site) ?? []), m]);
    const sites = [...bySite.values()];
    const first = sites[0] as MachineInfo[];
    const last = sites[sites.length - 1] as MachineInfo[];
    const at = (fraction: number) => span.from + Math.round((fraction * (span.to - span.from)) / MINUTE) * MINUTE;
    // a cleaning stop by command on the last site's first machine, started again 35 minutes later
    const cleaned = last[0] as MachineInfo;
    this.#plan(cleaned, { at: at(0.45), type: "stop", params: { reason: "CIP cleaning" }, by: DEMO_PEOPLE.plantManager });
    this.#plan(cleaned, { at: at(0.45) + 35 * MINUTE, type: "start", params: {}, by: DEMO_PEOPLE.plantManager });
    // a speed the first site's first machine cannot run, refused by its PLC
    this.#plan(first[0] as MachineInfo, { at: at(0.6), type: "set_speed", params: { speed_pct: 125 }, by: DEMO_PEOPLE.plantManager });
    // the first site's second machine: its first breakdown in the last third is reset remotely
    const resettable = first[1] ?? first[0];
    if (resettable) this.#resetAfter.set(resettable.key, at(0.67));
    // the degrading bearing: an inspection requested when it is well on its way (its alert is open by then)
    for (const [key, hours] of o.degrade ?? []) {
      const m = machines.find((x) => x.key === key);
      const when = span.from + Math.round((0.75 * hours * 3_600_000) / MINUTE) * MINUTE;
      if (m && when < span.to) {
        const note = "vibration rising on the drive-end bearing: check the bearing and its lubrication";
        this.#plan(m, { at: when, type: "request_inspection", params: { note, priority: "urgent" }, by: DEMO_PEOPLE.plantManager });
      }
    }
  }

  #plan(m: MachineInfo, p: Planned): void {
    if (p.at >= this.span.to) return;
    this.#planned.set(
      m.key,
      [...(this.#planned.get(m.key) ?? []), p].sort((a, b) => a.at - b.at),
    );
  }

  /** Carries out the commands due by `t` on this machine's simulated PLC (before its tick at `t`). */
  beforeTick(sim: MachineSim, t: number): void {
    const due = this.#planned.get(sim.key);
    while (due?.length && (due[0] as Planned).at <= t) {
      const p = due.shift() as Planned;
      this.commands.push({ machine: sim.machine, type: p.type, params: p.params, requestedBy: p.by, at: t, outcome: sim.execute(p.type, p.params, t) });
    }
  }

  /** Sees what a machine published at `t`: state changes end waits and start breakdowns. */
  observe(sim: MachineSim, msg: SimMessage, t: number): void {
    if (msg.channel !== "state") return;
    const p = msg.payload as { state: string; reason?: string };
    const before = this.#state.get(sim.key);
    if (before && before.state === p.state && before.reason === p.reason) return;
    this.#state.set(sim.key, { state: p.state, reason: p.reason, since: t });
    if (before?.state === "idle" && before.reason === undefined) this.#unexplained(sim.machine, before.since, t);
    if (p.state === "equipment_failure") this.#breakdown(sim.machine, p.reason, t);
  }

  /** Three in four unexplained waits of two minutes or more get a reason, 20 min to 2 h after they end. */
  #unexplained(m: MachineInfo, start: number, end: number): void {
    if (end - start < 2 * MINUTE) return;
    const give = this.#rng() < 0.75;
    const reason = AFTER_THE_FACT[Math.floor(this.#rng() * AFTER_THE_FACT.length)] as string;
    const at = end + Math.round(uniform(this.#rng, 20, 120) * MINUTE);
    if (give && at < this.span.to) this.edits.push({ machine: m, start, end, reason, by: DEMO_PEOPLE.plantManager, at });
  }

  #breakdown(m: MachineInfo, reason: string | undefined, t: number): void {
    const by = DEMO_PEOPLE.maintenance;
    // the degrading bearing has failed: maintenance tries a reset first; the PLC refuses it
    if (reason === "bearing failure" && this.o.degrade?.has(m.key)) this.#plan(m, { at: t + 4 * MINUTE, type: "reset_fault", params: {}, by });
    const from = this.#resetAfter.get(m.key);
    if (from !== undefined && t >= from && reason !== "bearing failure") {
      this.#resetAfter.delete(m.key);
      this.#plan(m, { at: t + 2 * MINUTE, type: "reset_fault", params: {}, by });
    }
  }
}

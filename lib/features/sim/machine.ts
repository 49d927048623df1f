// One simulated machine: a state machine driven by a seeded RNG and the shift calendar, producing
// the messages a PLC gateway would publish (state changes, counts, vibration features, waveforms).
// Pure apart from its RNG: `tick(nowMs)` returns the messages, the caller publishes them.

import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { type CommandType, parseCommandParams } from "#lib/contract/commands.ts";
import type { MachineKey } from "#lib/contract/identity.ts";
import type { MachineStateName } from "#lib/contract/payloads.ts";
import type { TelemetryChannel } from "#lib/contract/topics.ts";
import { ZONE_LIMITS } from "#lib/domain/vibration/iso10816.ts";
import { planStatus } from "./calendar.ts";
import { PlcCounter } from "./counter.ts";
import { Nuisance } from "./nuisance.ts";
import { exponential, hashSeed, mulberry32, normal, type Rng, uniform } from "./prng.ts";
import { synthWaveform } from "./waveform.ts";

export interface SimMessage {
  channel: TelemetryChannel;
  payload: Record<string, unknown>;
}

export interface MachineSimOptions {
  seed: number;
  /** Every Nth tick a machine with a waveform sensor sends a snapshot (0: never). */
  waveformEvery: number;
  /** Bearing degradation: time to failure from start (ms); undefined: healthy. */
  degradeToFailureMs?: number;
}

const MINUTE = 60_000;

/** The speed range (percent of nominal) a simulated machine accepts from commands. */
export const SIM_SPEED_RANGE = { min: 50, max: 110 } as const;

export type CommandOutcome = { status: "completed" } | { status: "rejected"; reason: string };

export class MachineSim {
  readonly key: MachineKey;
  readonly #rng: Rng;
  #state: MachineStateName = "idle";
  #reason: string | undefined;
  #stateUntil = 0;
  #lastTick: number | undefined;
  #partProgress = 0;
  #ticks = 0;
  #degradeStart: number | undefined;
  /** the degrading bearing was replaced: the new one stays healthy */
  #bearingReplaced = false;
  readonly #counter: PlcCounter;
  readonly #baselineVelocity: number;
  readonly #speedFactor: number;
  /** stopped by a command (until a start command) */
  #remoteStop = false;
  /** speed set by commands, percent of nominal */
  #speedPct = 100;
  /** the next tick reports the state even if the state machine did not change it */
  #announce = false;
  /** inspection requests and HMI alarm acknowledgements shown on the machine's HMI */
  readonly hmi: string[] = [];
  /** the healthy machine's nuisance (./nuisance.ts); the product's speed and load, new at each changeover */
  readonly #nuisance: Nuisance;
  #product = { speed: 1, load: 1 };

  constructor(
    readonly machine: MachineInfo,
    private readonly opts: MachineSimOptions,
  ) {
    this.key = machine.key;
    this.#rng = mulberry32(hashSeed(opts.seed, this.key));
    this.#nuisance = new Nuisance(opts.seed, this.key, machine.timeZone);
    this.#counter = new PlcCounter(this.#rng);
    // Healthy vibration in zone A/B of its ISO 10816-3 class.
    const ab = ZONE_LIMITS[machine.vibrationGroup][machine.foundation][0];
    this.#baselineVelocity = ab * uniform(this.#rng, 0.45, 0.8);
    this.#speedFactor = uniform(this.#rng, 1.02, 1.12);
  }

  get state(): MachineStateName {
    return this.#state;
  }

  get speedPct(): number {
    return this.#speedPct;
  }

  /**
   * Carries out a command as a PLC would, or rejects it with the reason an operator would read on
   * the HMI. Parameters are checked against the contract and against this machine's own limits.
   */
  execute(type: CommandType, params: Record<string, unknown>, nowMs: number): CommandOutcome {
    const p = parseCommandParams(type, params);
    if (!p.ok) return { status: "rejected", reason: p.reason };
    const reject = (reason: string): CommandOutcome => ({ status: "rejected", reason });
    const speed = (pct: number): CommandOutcome => {
      if (pct < SIM_SPEED_RANGE.min || pct > SIM_SPEED_RANGE.max) {
        return reject(`speed ${pct} % is outside this machine's range ${SIM_SPEED_RANGE.min}-${SIM_SPEED_RANGE.max} %`);
      }
      this.#speedPct = pct;
      return { status: "completed" };
    };
    switch (type) {
      case "stop":
        if (this.#remoteStop) return reject("already stopped by a command");
        this.#remoteStop = true;
        this.#set("stopped", Number.POSITIVE_INFINITY, `remote stop${p.params.reason ? `: ${p.params.reason}` : ""}`);
        this.#announce = true;
        return { status: "completed" };
      case "start":
        if (!this.#remoteStop) return reject(`not stopped by a command (the machine is ${this.#state.replaceAll("_", " ")})`);
        this.#remoteStop = false;
        this.#set("running", nowMs + 8 * MINUTE);
        this.#announce = true;
        return { status: "completed" };
      case "set_speed":
        return speed(p.params.speed_pct as number);
      case "slow_down": {
        const pct = p.params.speed_pct as number;
        if (pct >= this.#speedPct) return reject(`already at ${this.#speedPct} %, not faster than ${pct} %`);
        return speed(pct);
      }
      case "reset_fault":
        if (this.#state !== "equipment_failure") return reject(`no fault to reset (the machine is ${this.#state.replaceAll("_", " ")})`);
        if (this.#reason === "bearing failure") return reject("bearing failure: the bearing must be replaced, a reset does not repair it");
        this.#set("running", nowMs + 8 * MINUTE);
        this.#announce = true;
        return { status: "completed" };
      case "request_inspection":
        this.hmi.push(`inspection (${p.params.priority}): ${p.params.note}`);
        return { status: "completed" };
      case "ack_hmi_alarm":
        this.hmi.push(`alarm ${p.params.alarm_code} acknowledged`);
        return { status: "completed" };
    }
  }

  /** Advances the machine to `nowMs` and returns what it publishes. */
  tick(nowMs: number): SimMessage[] {
    const out: SimMessage[] = [];
    const dtS = this.#lastTick === undefined ? 0 : Math.max(0, (nowMs - this.#lastTick) / 1000);
    this.#lastTick = nowMs;
    this.#degradeStart ??= this.opts.degradeToFailureMs !== undefined && !this.#bearingReplaced ? nowMs : undefined;
    const ts = new Date(nowMs).toISOString();

    const before = this.#state;
    this.#advanceState(nowMs);
    if (this.#state === "changeover" && before !== "changeover") {
      // another product: its own speed and load (tooling, part mass) until the next changeover
      this.#product = { speed: uniform(this.#nuisance.rng, 0.85, 1.1), load: uniform(this.#nuisance.rng, 0.92, 1.08) };
    }
    this.#nuisance.warm(dtS, this.#isTurning());
    if (this.#state !== before || this.#ticks === 0 || this.#announce) {
      this.#announce = false;
      out.push({ channel: "state", payload: { v: 1, ts, state: this.#state, ...(this.#reason ? { reason: this.#reason } : {}) } });
    }

    // Production: parts at the ideal rate slowed by jitter; reduced speed when running slow.
    let made = 0;
    let rejected = 0;
    if (this.#state === "running" || this.#state === "low_speed") {
      const slow = this.#state === "low_speed" ? 1.6 : 1;
      const cycle = ((this.machine.idealCycleTimeS * this.#speedFactor * slow) / (this.#speedPct / 100)) * Math.max(0.9, normal(this.#rng, 1, 0.03));
      this.#partProgress += dtS / cycle;
      made = Math.floor(this.#partProgress);
      this.#partProgress -= made;
      for (let i = 0; i < made; i++) if (this.#rng() < 0.015) rejected++;
    }
    out.push({ channel: "counts", payload: this.#counter.payload(ts, made, rejected) });

    const features = this.#vibration(nowMs);
    out.push({ channel: "vibration", payload: { v: 1, ts, sensor: "de-bearing", ...features } });

    if (this.machine.hasWaveformSensor && this.opts.waveformEvery > 0 && this.#ticks % this.opts.waveformEvery === 0 && this.#isTurning()) {
      const speedRpm = this.machine.nominalSpeedRpm ?? 1500;
      out.push({
        channel: "waveform",
        payload: {
          v: 1,
          ts,
          sensor: "de-bearing",
          unit: "g",
          sample_rate_hz: 10240,
          speed_rpm: speedRpm,
          samples: synthWaveform(this.#rng, { sampleRateHz: 10240, n: 2048, speedRpm, degradation: this.#degradation(nowMs), bearing: this.machine }),
        },
      });
    }
    this.#ticks++;
    return out;
  }

  /** The shaft's speed as a fraction of nominal: the command's setting, the product's, 70 % at low speed. */
  #speedFraction(): number {
    return (this.#speedPct / 100) * this.#product.speed * (this.#state === "low_speed" ? 0.7 : 1);
  }

  #isTurning(): boolean {
    return this.#state === "running" || this.#state === "low_speed";
  }

  #set(state: MachineStateName, untilMs: number, reason?: string): void {
    this.#state = state;
    this.#stateUntil = untilMs;
    this.#reason = reason;
  }

  #advanceState(now: number): void {
    const plan = planStatus(now, this.machine.timeZone, this.machine.shifts);
    // stopped by a command: stays stopped through breaks and shift ends until a start command
    if (this.#remoteStop) return;
    if (plan.kind !== "production") {
      const s: MachineStateName = plan.kind === "break" ? "break" : "no_shift";
      // a bearing replaced during a break or after the shift: it does not fail again when production resumes
      if (this.#state === "equipment_failure" && this.#reason === "bearing failure" && now >= this.#stateUntil) this.#repaired();
      if (this.#state !== "equipment_failure" || now >= this.#stateUntil) this.#set(s, now);
      return;
    }
    if (this.#degradation(now) >= 1 && this.#state !== "equipment_failure") {
      this.#set("equipment_failure", now + uniform(this.#rng, 45, 120) * MINUTE, "bearing failure");
      return;
    }
    if (now < this.#stateUntil) return;
    if (this.#state === "equipment_failure") this.#repaired();
    const r = this.#rng();
    const rng = this.#rng;
    if (this.#state !== "running") {
      this.#set("running", now + exponential(rng, 8 * MINUTE));
    } else if (r < 0.55) {
      this.#set("micro_stop", now + uniform(rng, 5, 90) * 1000, rng() < 0.5 ? "jam" : undefined);
    } else if (r < 0.75) {
      this.#set("low_speed", now + uniform(rng, 2, 10) * MINUTE);
    } else if (r < 0.87) {
      // one wait in five has no reason from the PLC: someone gives it one afterwards, or nobody does
      const until = now + uniform(rng, 1, 6) * MINUTE;
      const why = rng();
      this.#set("idle", until, why < 0.2 ? undefined : why < 0.6 ? "starved" : "blocked");
    } else if (r < 0.95) {
      this.#set("changeover", now + uniform(rng, 10, 25) * MINUTE, "product change");
    } else {
      const reasons = ["spindle fault", "hydraulic leak", "sensor fault", "motor overload"];
      this.#set("equipment_failure", now + uniform(rng, 5, 40) * MINUTE, reasons[Math.floor(rng() * reasons.length)]);
    }
  }

  /**
   * A repair ends. A replaced bearing brings vibration back to baseline; a PLC restarted during the
   * repair (always after a bearing change, sometimes otherwise) starts its counters again at 0.
   */
  #repaired(): void {
    const bearing = this.#reason === "bearing failure";
    if (bearing) {
      this.#degradeStart = undefined;
      this.#bearingReplaced = true;
    }
    if (bearing || this.#rng() < 0.3) this.#counter.reset();
  }

  /** 0 (healthy) .. 1 (failure), rising as a cubic over the configured time to failure. */
  #degradation(now: number): number {
    if (this.opts.degradeToFailureMs === undefined || this.#degradeStart === undefined) return 0;
    return Math.min(1, Math.max(0, (now - this.#degradeStart) / this.opts.degradeToFailureMs) ** 3);
  }

  #vibration(now: number): Record<string, number> {
    const d = this.#degradation(now);
    const rng = this.#rng;
    const turning = this.#isTurning();
    // nuisance: vibration rises with speed (velocity ~ speed^1.5, acceleration ~ speed^2) and load,
    // a cold machine vibrates up to 12 % more, the temperature follows the ambient and the heat
    const s = this.#speedFraction();
    const cold = 1 + 0.12 * (1 - this.#nuisance.heat);
    const velocity = turning
      ? this.#baselineVelocity * (1 + 4 * d) * s ** 1.5 * this.#product.load * cold * Math.max(0.5, normal(rng, 1, 0.05))
      : Math.abs(normal(rng, 0.05, 0.02));
    let accelRms = turning ? 0.25 * velocity * (1 + 2 * d) * Math.sqrt(s) * Math.max(0.5, normal(rng, 1, 0.05)) : Math.abs(normal(rng, 0.01, 0.005));
    let crest = turning ? Math.max(1.5, normal(rng, 3 + 3 * d, 0.15)) : Math.max(1.5, normal(rng, 3, 0.3));
    let kurtosis = turning ? Math.max(1.5, normal(rng, 3 + 6 * d, 0.2)) : Math.max(1.5, normal(rng, 3, 0.3));
    const rise = 23 * this.#product.load + 8 * (s - 1);
    const temperature = normal(rng, this.#nuisance.ambient(now) + rise * this.#nuisance.heat + 15 * d, 0.3);
    const glitch = this.#nuisance.glitch();
    if (glitch) {
      accelRms *= glitch.accel;
      crest *= glitch.crest;
      kurtosis += glitch.kurtosis;
    }
    const round = (x: number) => Math.round(x * 1000) / 1000;
    return {
      velocity_rms_mm_s: round(velocity),
      accel_rms_g: round(accelRms),
      accel_peak_g: round(accelRms * crest),
      crest_factor: round(crest),
      kurtosis: round(kurtosis),
      temperature_c: round(temperature),
      speed_rpm: turning ? round((this.machine.nominalSpeedRpm ?? 1500) * s) : 0,
    };
  }
}

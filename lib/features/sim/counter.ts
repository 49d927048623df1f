// How a simulated machine reports counts: most send cumulative PLC counters (16 or 32 bits, rolling
// over), some send deltas. Counters start at 0 like a PLC after power-on: a simulator restart, or a PLC
// restarted during a repair, reads as a counter reset.
import type { Rng } from "./prng.ts";

export class PlcCounter {
  readonly mode: { kind: "cumulative"; max: number } | { kind: "delta" };
  #total = 0;
  #reject = 0;

  constructor(rng: Rng) {
    this.mode = rng() < 0.8 ? { kind: "cumulative", max: rng() < 0.5 ? 65535 : 4294967295 } : { kind: "delta" };
  }

  reset(): void {
    this.#total = 0;
    this.#reject = 0;
  }

  /** The counts message for `made` parts, `rejected` of them bad, since the last one. */
  payload(ts: string, made: number, rejected: number): Record<string, unknown> {
    if (this.mode.kind === "delta") return { v: 1, ts, mode: "delta", total: made, reject: rejected };
    const max = this.mode.max;
    this.#total = (this.#total + made) % (max + 1);
    this.#reject = (this.#reject + rejected) % (max + 1);
    return { v: 1, ts, mode: "cumulative", total: this.#total, reject: this.#reject, counter_max: max };
  }
}

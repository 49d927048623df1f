// What a healthy machine's vibration and temperature do that a detector must not alarm on: the
// thermal state (0 cold, 1 at operating temperature: warm-up after every restart), the hall's
// temperature over the local day with a slow drift, and rare one-sample sensor glitches. Drawn from a
// random stream of its own, so the state machine's sequence is the same with or without it.
import { hashSeed, mulberry32, normal, type Rng, uniform } from "./prng.ts";

export class Nuisance {
  readonly rng: Rng;
  /** 0 cold .. 1 at operating temperature */
  heat = 0;
  #ambientDrift = 0;
  #localHour = { bucket: Number.NaN, offsetH: 0 };

  constructor(
    seed: number,
    key: string,
    private readonly timeZone: string,
  ) {
    this.rng = mulberry32(hashSeed(seed, `${key}#nuisance`));
  }

  /** Heats while turning (time constant 25 min), cools while stopped (90 min); the ambient drifts slowly. */
  warm(dtS: number, turning: boolean): void {
    if (dtS <= 0) return;
    if (turning) this.heat += (1 - this.heat) * (1 - Math.exp(-dtS / (25 * 60)));
    else this.heat *= Math.exp(-dtS / (90 * 60));
    // Ornstein-Uhlenbeck: mean 0, time constant 2 days, standard deviation 1.5 °C
    const tau = 2 * 86_400;
    const a = Math.exp(-dtS / tau);
    this.#ambientDrift = this.#ambientDrift * a + 1.5 * Math.sqrt(1 - a * a) * normal(this.rng);
  }

  /** The hall's temperature: 22 °C, ±4 °C over the local day (warmest at 15:00), plus the slow drift. */
  ambient(now: number): number {
    const bucket = Math.floor(now / 3_600_000);
    if (bucket !== this.#localHour.bucket) {
      const parts = new Intl.DateTimeFormat("en-GB", { timeZone: this.timeZone, hour: "numeric", hourCycle: "h23" }).formatToParts(now);
      const localH = Number(parts.find((x) => x.type === "hour")?.value ?? 0);
      this.#localHour = { bucket, offsetH: localH - new Date(bucket * 3_600_000).getUTCHours() };
    }
    const hour = (((now / 3_600_000 + this.#localHour.offsetH) % 24) + 24) % 24;
    return 22 + 4 * Math.sin((2 * Math.PI * (hour - 9)) / 24) + this.#ambientDrift;
  }

  /** A sensor glitch (a knock on the housing, electrical noise) in one sample in 1,500: acceleration only. */
  glitch(): { accel: number; crest: number; kurtosis: number } | undefined {
    if (this.rng() >= 1 / 1500) return undefined;
    const accel = uniform(this.rng, 1.5, 3);
    const crest = uniform(this.rng, 1.3, 2);
    const kurtosis = uniform(this.rng, 2, 6);
    return { accel, crest, kurtosis };
  }
}

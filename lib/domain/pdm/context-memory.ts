// The contextual memory of the `context` detector (lib/domain/pdm/context.ts): "has this value ever
// followed these recent values?" Pure and deterministic: no I/O.
//
// The idea is the contextual anomaly detector's (CAD-OSE, Smirnov 2016, on the NAB scoreboard):
// values are quantized coarsely, the recent quantized values form a context, and a context never seen
// before is the anomaly. Our own formulation (no CAD source read or ported): each sample is quantized
// into `levels` equal bins of the range seen before it (two more bins: above and below that range);
// for every order k = 1..`order`, the k quantized values `stride`, 2·stride, … k·stride samples back,
// followed by the current one, form a k-gram; the novelty of the sample is the share of its k-grams
// never seen before (0: every one seen, 1: none). Counting all orders makes the novelty graded: a
// value that never followed even the last value is more novel than one that only never followed the
// last six.

export interface ContextMemoryState {
  bins: number[];
  seen: number[];
}

/** Bits per quantized value in a k-gram's key (levels + 2 ≤ 16). */
const BITS = 16;
/** Keys of different orders kept apart (order ≤ 8: (order + 1) · 4 bits < 2^44, k · 2^44 < 2^53). */
const ORDER_SHIFT = 2 ** 44;

export class ContextMemory {
  private readonly seen = new Set<number>();
  private readonly bins: Int8Array;
  private n = 0;

  constructor(
    readonly levels: number,
    readonly order: number,
    readonly stride: number,
  ) {
    if (levels + 2 > BITS || order > 8 || order < 1 || stride < 1) throw new Error("context memory: 1 ≤ order ≤ 8, levels ≤ 14, stride ≥ 1");
    this.bins = new Int8Array(order * stride + 1);
  }

  /** Samples needed before a novelty is returned. */
  get span(): number {
    return this.order * this.stride + 1;
  }

  /** The quantized value of x against the range [min, max] seen before it. */
  quantize(x: number, min: number, max: number): number {
    const range = max - min;
    if (!(range > 0)) return 0;
    if (x > max) return this.levels;
    if (x < min) return this.levels + 1;
    return Math.max(0, Math.min(this.levels - 1, Math.floor((this.levels * (x - min)) / range)));
  }

  /**
   * Learns the sample (quantized against the range seen before it) and returns the share of its
   * k-grams never seen before, or undefined while fewer than `span` samples have been seen.
   */
  update(x: number, min: number, max: number): number | undefined {
    const b = this.quantize(x, min, max);
    const size = this.bins.length;
    this.bins[this.n % size] = b;
    this.n++;
    if (this.n < size) return undefined;
    let context = 0;
    let mult = 1;
    let unseen = 0;
    for (let k = 1; k <= this.order; k++) {
      context += (this.bins[(this.n - 1 - k * this.stride) % size] as number) * mult;
      mult *= BITS;
      const key = k * ORDER_SHIFT + context * BITS + b;
      if (!this.seen.has(key)) {
        unseen++;
        this.seen.add(key);
      }
    }
    return unseen / this.order;
  }

  get size(): number {
    return this.seen.size;
  }

  state(): ContextMemoryState {
    const bins: number[] = [];
    const size = this.bins.length;
    for (let i = Math.max(0, this.n - size); i < this.n; i++) bins.push(this.bins[i % size] as number);
    return { bins, seen: [...this.seen] };
  }

  /** Continues from a saved state (`n` is the detector's sample count). */
  restore(s: ContextMemoryState, n: number) {
    this.seen.clear();
    for (const k of s.seen) this.seen.add(k);
    this.n = n;
    const size = this.bins.length;
    s.bins.forEach((b, i) => {
      this.bins[(n - s.bins.length + i) % size] = b;
    });
  }
}

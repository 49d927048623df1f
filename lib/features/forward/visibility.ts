// When a QuestDB table's rows are all visible. A write is answered once its rows are committed to the
// table's WAL; QuestDB applies the transaction to the table (makes it queryable) some time later,
// seconds under load, never while the table is suspended. Reading by a stored-at column therefore
// needs to know up to when everything committed is applied: if the table's sequencer had reached txn
// S at instant T, and its writer has since applied S, every row committed before T is visible.

/** Tracks (instant, sequencer txn) observations and how far the applied transactions reach. */
export class AppliedHorizon {
  readonly #seen: { at: number; seq: number }[] = [];
  #horizon = Number.NEGATIVE_INFINITY;

  /**
   * One reading of the table's transactions, `at` taken BEFORE the reading (so every commit before
   * `at` is counted in `sequencerTxn`). Returns the instant before which every committed row is visible.
   */
  observe(at: number, writerTxn: number, sequencerTxn: number): number {
    this.#seen.push({ at, seq: sequencerTxn });
    while (this.#seen.length > 0 && (this.#seen[0] as { seq: number }).seq <= writerTxn) this.#horizon = (this.#seen.shift() as { at: number }).at;
    // bounded while the table is stuck (suspended): dropping an observation only makes the horizon coarser
    if (this.#seen.length > 256) this.#seen.splice(1, 1);
    return this.#horizon;
  }

  get horizon(): number {
    return this.#horizon;
  }
}

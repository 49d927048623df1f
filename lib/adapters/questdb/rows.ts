// A row for QuestDB, independent of the client library: built by the ingest mapping (pure),
// written by writer.ts.

export type Field =
  | { kind: "float"; name: string; value: number }
  | { kind: "int"; name: string; value: number }
  | { kind: "string"; name: string; value: string }
  | { kind: "timestamp"; name: string; micros: number }
  /**
   * When the write that lands the row started (epoch µs, the writer's clock), set by the writer on
   * every attempt. Readers that follow a table by this column (the Kafka forwarder, the OEE worker's
   * late-data scan, the plant timelines) see a row that was held back (a QuestDB outage, a slow
   * roll-up) as new when it lands, not as old: a stamp taken earlier could fall behind their position.
   */
  | { kind: "storedAt"; name: string }
  | { kind: "array"; name: string; value: number[] };

export interface Row {
  table: string;
  symbols: [name: string, value: string][];
  fields: Field[];
  /** Designated timestamp, epoch µs. */
  ts: number;
}

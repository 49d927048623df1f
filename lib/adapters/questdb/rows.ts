// A row for QuestDB, independent of the client library: built by the ingest mapping (pure),
// written by writer.ts.

export type Field =
  | { kind: "float"; name: string; value: number }
  | { kind: "int"; name: string; value: number }
  | { kind: "string"; name: string; value: string }
  | { kind: "timestamp"; name: string; micros: number }
  | { kind: "array"; name: string; value: number[] };

export interface Row {
  table: string;
  symbols: [name: string, value: string][];
  fields: Field[];
  /** Designated timestamp, epoch µs. */
  ts: number;
}

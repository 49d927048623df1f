// InfluxDB line protocol, version 2 (QuestDB's: binary doubles and arrays), encoded from rows.ts's rows
// into one reusable buffer. Replaces @questdb/nodejs-client's encoder for the writer: that one writes
// every character of every name and value with its own Buffer.write call, which was the ingest
// worker's largest cost (a fifth of its CPU profile, docs/benchmarks.md). Same bytes on the wire
// for the same rows, same escaping, same name checks.
import type { Row } from "./rows.ts";

const EQ = 0x3d;
const ENTITY_DOUBLE = 16;
const ENTITY_ARRAY = 14;
const COLUMN_DOUBLE = 10;
/** Epoch µs from 2001-09-09 to 2286-11-20 have 16 digits: a stamp written per attempt keeps its width. */
const STAMP_DIGITS = 16;

// characters escaped with a backslash: outside quotes (table, symbol names and values, column names), inside quotes (strings)
const PLAIN_UNQUOTED = /^[^ ,=\n\r\\\u0080-\uffff]*$/;
const PLAIN_QUOTED = /^[^"\n\r\\\u0080-\uffff]*$/;
const ESCAPE_UNQUOTED = /[ ,=\n\r\\]/g;
const ESCAPE_QUOTED = /["\n\r\\]/g;
// QuestDB's (and its client's) rules for names
const MAX_NAME = 127;
const BAD_COLUMN = `?.,'"\\/:)(+-*%~`;
const BAD_TABLE = `?,'"\\/:)(+*%~`;

/** A control character, a byte-order mark or one of `bad`. */
function hasBad(name: string, bad: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0xfeff || bad.includes(name[i] as string)) return true;
  }
  return false;
}

const checkedNames = new Set<string>();
const checkedTables = new Set<string>();

function checkName(name: string): void {
  if (checkedNames.has(name)) return;
  if (name.length === 0 || name.length > MAX_NAME || hasBad(name, BAD_COLUMN)) throw new Error(`invalid column name ${JSON.stringify(name.slice(0, 200))}`);
  checkedNames.add(name);
}

function checkTable(name: string): void {
  if (checkedTables.has(name)) return;
  if (name.length === 0 || name.length > MAX_NAME || hasBad(name, BAD_TABLE) || name.startsWith(".") || name.endsWith(".") || name.includes("..")) {
    throw new Error(`invalid table name ${JSON.stringify(name.slice(0, 200))}`);
  }
  checkedTables.add(name);
}

// A row's table and symbols as text, kept per symbols list: the ingest mapping shares one list among all
// rows of a machine and channel (lib/features/ingest/mapping.ts), so most rows find their text here.
// Bounded: cleared when full (lists built for one row, e.g. dead letters, pass through and are dropped).
const HEADS = new Map<object, { table: string; text: string }>();
const MAX_HEADS = 8192;
const NON_ASCII = /[\u0080-\uffff]/;
const escapeUnquoted = (s: string) => (PLAIN_UNQUOTED.test(s) ? s : s.replace(ESCAPE_UNQUOTED, (c) => (c === "\\" ? "\\\\" : `\\${c}`)));

/** The row's table and symbols as ILP text when it is all ASCII (undefined otherwise: written the long way). */
function asciiHead(row: Row): string | undefined {
  const hit = HEADS.get(row.symbols);
  if (hit !== undefined && hit.table === row.table) return hit.text;
  checkTable(row.table);
  let text = escapeUnquoted(row.table);
  for (const [name, value] of row.symbols) {
    checkName(name);
    text += `,${escapeUnquoted(name)}=${escapeUnquoted(value)}`;
  }
  if (NON_ASCII.test(text)) return undefined;
  if (HEADS.size >= MAX_HEADS) HEADS.clear();
  HEADS.set(row.symbols, { table: row.table, text });
  return text;
}

/** Where a row's "storedAt" stamp sits in the encoded bytes: written again on every attempt. */
export interface EncodedBatch {
  bytes: Buffer;
  /** Offsets of the 16-digit stamps in `bytes`. */
  stamps: number[];
}

/** Encodes rows into one growing buffer, reused from batch to batch (at most `maxBytes`). */
export class IlpEncoder {
  #buf: Buffer;
  #pos = 0;
  /** ASCII text not yet in the buffer: a row's text goes in with one write, not one per name and value. */
  #text = "";
  #stamps: number[] = [];
  readonly #maxBytes: number;

  constructor(maxBytes: number, initialBytes = 64 * 1024) {
    this.#maxBytes = maxBytes;
    this.#buf = Buffer.allocUnsafe(Math.min(initialBytes, maxBytes));
  }

  /** Encodes `rows` (from the start of the buffer); throws when a row cannot be encoded (bad name, value, too large). */
  encode(rows: readonly Row[]): EncodedBatch {
    this.#pos = 0;
    this.#stamps = [];
    this.#text = "";
    for (const row of rows) this.#row(row);
    this.#flushText();
    return { bytes: this.#buf.subarray(0, this.#pos), stamps: this.#stamps };
  }

  /** Writes the 16-digit epoch-µs stamp into every "storedAt" column of the last encoded batch. */
  static stamp(batch: EncodedBatch, micros: number): void {
    const digits = String(Math.trunc(micros));
    if (digits.length !== STAMP_DIGITS) throw new Error(`the clock reads ${digits} µs: outside the 16-digit range`);
    for (const at of batch.stamps) batch.bytes.write(digits, at, STAMP_DIGITS, "latin1");
  }

  /** Gives back a buffer grown for a large batch (the next batch starts small again). */
  shrink(toBytes = 64 * 1024): void {
    if (this.#buf.length > toBytes) this.#buf = Buffer.allocUnsafe(toBytes);
  }

  #row(row: Row): void {
    const head = asciiHead(row);
    if (head !== undefined) this.#ascii(head);
    else {
      checkTable(row.table);
      this.#unquoted(row.table);
      for (const [name, value] of row.symbols) {
        checkName(name);
        this.#ascii(",");
        this.#unquoted(name);
        this.#ascii("=");
        this.#unquoted(value);
      }
    }
    let sep = " ";
    for (const f of row.fields) {
      checkName(f.name);
      this.#ascii(sep);
      sep = ",";
      this.#unquoted(f.name);
      switch (f.kind) {
        case "float":
          if (typeof f.value !== "number") throw new Error(`column ${f.name}: a float must be a number`);
          this.#flushText();
          this.#room(11); // "==", the entity byte, 8 bytes of double
          this.#buf[this.#pos++] = EQ;
          this.#buf[this.#pos++] = EQ;
          this.#buf[this.#pos++] = ENTITY_DOUBLE;
          this.#pos = this.#buf.writeDoubleLE(f.value, this.#pos);
          break;
        case "int":
          if (!Number.isInteger(f.value)) throw new Error(`column ${f.name}: value must be an integer, got ${f.value}`);
          this.#ascii(`=${f.value}i`);
          break;
        case "string":
          if (typeof f.value !== "string") throw new Error(`column ${f.name}: a string must be a string`);
          this.#ascii('="');
          this.#quoted(f.value);
          this.#ascii('"');
          break;
        case "timestamp":
          if (!Number.isInteger(f.micros)) throw new Error(`column ${f.name}: a timestamp must be an integer, got ${f.micros}`);
          this.#ascii(`=${f.micros}t`);
          break;
        case "storedAt":
          this.#ascii("=");
          this.#stamps.push(this.#pos + this.#text.length);
          this.#ascii("0".repeat(STAMP_DIGITS));
          this.#ascii("t");
          break;
        case "array":
          this.#array(f.name, f.value);
          break;
      }
    }
    if (!Number.isInteger(row.ts)) throw new Error(`designated timestamp must be an integer, got ${row.ts}`);
    if (row.symbols.length === 0 && row.fields.length === 0) throw new Error("a row needs a symbol or a column");
    this.#ascii(` ${row.ts}t\n`);
    if (this.#text.length > 4096) this.#flushText();
  }

  #array(name: string, values: readonly number[]): void {
    if (!Array.isArray(values) || values.length === 0) throw new Error(`column ${name}: an array needs at least one value`);
    this.#flushText();
    this.#room(9 + 8 * values.length); // "==", entity, column type, dimensions, a 4-byte length, the doubles
    const b = this.#buf;
    b[this.#pos++] = EQ;
    b[this.#pos++] = EQ;
    b[this.#pos++] = ENTITY_ARRAY;
    b[this.#pos++] = COLUMN_DOUBLE;
    b[this.#pos++] = 1;
    this.#pos = b.writeInt32LE(values.length, this.#pos);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v !== "number") throw new Error(`column ${name}: array values must be numbers`);
      this.#pos = b.writeDoubleLE(v, this.#pos);
    }
  }

  /** Text known to be ASCII with nothing to escape. */
  #ascii(s: string): void {
    this.#text += s;
  }

  #flushText(): void {
    const s = this.#text;
    if (s.length === 0) return;
    this.#text = "";
    this.#room(s.length);
    this.#pos += this.#buf.write(s, this.#pos, s.length, "latin1");
  }

  #unquoted(s: string): void {
    if (PLAIN_UNQUOTED.test(s)) this.#ascii(s);
    else this.#utf8(s.replace(ESCAPE_UNQUOTED, (c) => (c === "\\" ? "\\\\" : `\\${c}`)));
  }

  #quoted(s: string): void {
    if (PLAIN_QUOTED.test(s)) this.#ascii(s);
    else this.#utf8(s.replace(ESCAPE_QUOTED, (c) => (c === "\\" ? "\\\\" : `\\${c}`)));
  }

  #utf8(s: string): void {
    this.#flushText();
    this.#room(Buffer.byteLength(s, "utf8"));
    this.#pos += this.#buf.write(s, this.#pos, "utf8");
  }

  #room(n: number): void {
    const need = this.#pos + n;
    if (need <= this.#buf.length) return;
    if (need > this.#maxBytes) throw new Error(`the rows take more than the buffer's ${this.#maxBytes} bytes`);
    let size = this.#buf.length * 2;
    while (size < need) size *= 2;
    const grown = Buffer.allocUnsafe(Math.min(size, this.#maxBytes));
    this.#buf.copy(grown, 0, 0, this.#pos);
    this.#buf = grown;
  }
}

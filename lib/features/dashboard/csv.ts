// CSV for exports opened in spreadsheets: RFC 4180 quoting by csv-stringify, plus formula-injection
// defence. A text cell that starts with = + - @ TAB or CR is read by Excel, LibreOffice and Google
// Sheets as a formula (CWE-1236, "CSV injection"): such a cell gets a leading apostrophe, which the
// spreadsheet shows as text. Only text is neutralised: numbers are written as numbers, so a negative
// figure in a numeric column stays -3.5 and sums still work. Lines end with \n.
import { stringify } from "csv-stringify/sync";

const FORMULA_START = /^[=+\-@\t\r]/;

/** A cell whose text is written as it is (never neutralised): a number already formatted, e.g. a ratio to 6 decimals. */
export class CsvNumber {
  constructor(readonly text: string) {}
}

/** The text of a cell before quoting: text neutralised; numbers as they are; null/undefined empty; anything else as JSON text. */
function cellText(v: unknown): string {
  if (v instanceof CsvNumber) return v.text;
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "";
  if (v === null || v === undefined) return "";
  const text = typeof v === "string" ? v : JSON.stringify(v);
  return FORMULA_START.test(text) ? `'${text}` : text;
}

// csv-stringify casts only what it is given as text here (its own casting of booleans, dates and
// objects differs from ours): it quotes a cell with a quote, comma, CR or LF in it (with its default
// line end: naming record_delimiter makes it stop quoting CR).
const write = (rows: readonly (readonly unknown[])[], eof: boolean): string =>
  stringify(
    rows.map((r) => r.map(cellText)),
    { eof },
  );

/** One cell, neutralised and quoted when needed. */
export const csvCell = (v: unknown): string => write([[v]], false);

/** One CSV line (no line end). */
export const csvLine = (cells: readonly unknown[]): string => write([cells], false);

/** A whole CSV document: a header line, then one line per row, each ending with \n. */
export const csvDocument = (header: readonly string[], rows: readonly (readonly unknown[])[]): string => write([header, ...rows], true);

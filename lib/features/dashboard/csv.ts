// CSV cells for exports opened in spreadsheets (RFC 4180 quoting plus formula-injection defence).
// A text cell that starts with = + - @ TAB or CR is read by Excel, LibreOffice and Google Sheets as a
// formula (CWE-1236, "CSV injection"): such a cell gets a leading apostrophe, which the spreadsheet
// shows as text. Only text is neutralised: numbers are written as numbers, so a negative figure in a
// numeric column stays -3.5 and sums still work. Pure: no imports.

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: text is neutralised and quoted when needed; numbers as they are; null/undefined empty; anything else as JSON text. */
export function csvCell(v: unknown): string {
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "";
  if (v === null || v === undefined) return "";
  const text = typeof v === "string" ? v : JSON.stringify(v);
  const safe = FORMULA_START.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One CSV line (no line end). */
export const csvLine = (cells: readonly unknown[]): string => cells.map(csvCell).join(",");

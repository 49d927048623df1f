// The size of rows in an ILP request, estimated from above: the batcher's byte bounds (./batcher.ts).
import type { Row } from "#lib/adapters/questdb/rows.ts";

/** An upper bound of the bytes a message's rows take in an ILP request (strings counted at 3 bytes a character). */
export function messageBytes(rows: readonly Row[]): number {
  let n = 0;
  for (const r of rows) {
    n += 48 + r.table.length;
    for (const [k, v] of r.symbols) n += 4 + k.length + 3 * v.length;
    for (const f of r.fields) {
      n += 4 + f.name.length;
      if (f.kind === "string") n += 3 * f.value.length + 2;
      else if (f.kind === "array") n += 16 + 8 * f.value.length;
      else n += 24;
    }
  }
  return n;
}

/** Rows in requests of at most maxRows rows and about maxBytes (a row above it alone), in order. */
export function inRequests(rows: readonly Row[], maxRows: number, maxBytes: number): Row[][] {
  const out: Row[][] = [[]];
  let bytes = 0;
  for (const r of rows) {
    const b = messageBytes([r]);
    const last = out[out.length - 1] as Row[];
    if (last.length && (last.length >= maxRows || bytes + b > maxBytes)) {
      out.push([r]);
      bytes = b;
    } else {
      last.push(r);
      bytes += b;
    }
  }
  return out;
}

// An answer's UTF-8 bytes from its parts: JSON text made now and bytes of texts kept (and encoded) once.
// Pure, also used in the browser bundle (through plant-wire.ts).

/** The parts one after the other, strings in UTF-8 (consecutive strings encoded together). */
export function concatBytes(parts: readonly (string | Uint8Array<ArrayBuffer>)[]): Uint8Array<ArrayBuffer> {
  const merged: (string | Uint8Array<ArrayBuffer>)[] = [];
  for (const p of parts) {
    const last = merged.at(-1);
    if (typeof p === "string" && typeof last === "string") merged[merged.length - 1] = last + p;
    else merged.push(p);
  }
  const encoder = new TextEncoder();
  const bytes = merged.map((p) => (typeof p === "string" ? encoder.encode(p) : p));
  const out = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of bytes) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

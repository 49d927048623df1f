// A short, safe rendering of a value that came from outside, for error messages, dead-letter reasons
// and logs. Pure. Whatever the input (a 10 KB `[[[[…]]]]`, a megabyte string, a cycle, a Proxy whose
// traps throw, `__proto__` keys, a Buffer), it never throws, never recurses, and its work is bounded by
// `max`, not by the size of the input: it walks the value with an explicit stack and stops as soon as
// `max` characters are written.

const ELLIPSIS = "…";

type Item = { text: string } | { value: unknown } | { of: object; key: string };

/** JSON-like text of `v`, at most `max` characters (an ending "…" says it was cut). */
export function preview(v: unknown, max = 80): string {
  const limit = Math.max(1, Math.floor(Number.isFinite(max) ? max : 80));
  let out = "";
  let cut = false;
  const emit = (s: string): boolean => {
    if (cut) return false;
    if (out.length + s.length > limit) {
      out += s.slice(0, limit - out.length);
      cut = true;
      return false;
    }
    out += s;
    return true;
  };
  // Work items: literal text (brackets, separators), a value, or a property read only when its turn
  // comes (a getter that throws then ends the preview after what was written before it).
  const stack: Item[] = [{ value: v }];
  try {
    while (stack.length && !cut) {
      const item = stack.pop()!;
      if ("text" in item) {
        emit(item.text);
        continue;
      }
      const x = "value" in item ? item.value : (item.of as Record<string, unknown>)[item.key];
      if (typeof x === "string") {
        emit(quote(x, limit - out.length));
      } else if (typeof x === "number" || typeof x === "boolean" || typeof x === "undefined" || x === null) {
        emit(String(x));
      } else if (typeof x === "bigint") {
        emit(`${x}n`);
      } else if (typeof x === "symbol") {
        emit("[symbol]");
      } else if (typeof x === "function") {
        emit("[function]");
      } else if (x instanceof Uint8Array) {
        // bytes: their size and the start decoded as UTF-8 (invalid bytes become U+FFFD)
        const head = Buffer.from(x.buffer, x.byteOffset, Math.min(x.byteLength, limit * 4)).toString("utf8");
        emit(`<${x.byteLength} bytes ${quote(head, limit - out.length)}>`);
      } else if (x instanceof Date) {
        emit(Number.isNaN(x.getTime()) ? "Invalid Date" : x.toISOString());
      } else if (x instanceof Error) {
        emit(`${x.name}: ${quote(String(x.message), limit - out.length)}`);
      } else if (Array.isArray(x)) {
        // children pushed in reverse so they pop in order; only as many as could still be written
        const room = limit - out.length;
        const n = Math.min(x.length, room);
        const items: Item[] = [{ text: "[" }];
        for (let i = 0; i < n; i++) {
          if (i) items.push({ text: "," });
          items.push({ of: x, key: String(i) });
        }
        items.push({ text: x.length > n ? ",…]" : "]" });
        for (let i = items.length - 1; i >= 0; i--) stack.push(items[i]!);
      } else {
        const room = limit - out.length;
        const items: Item[] = [{ text: "{" }];
        let n = 0;
        let more = false;
        for (const k in x as object) {
          if (!Object.hasOwn(x as object, k)) continue;
          if (n >= room) {
            more = true;
            break;
          }
          items.push({ text: `${n ? "," : ""}${quote(k, room)}:` });
          items.push({ of: x as object, key: k });
          n++;
        }
        items.push({ text: more ? ",…}" : "}" });
        for (let i = items.length - 1; i >= 0; i--) stack.push(items[i]!);
      }
    }
  } catch {
    // a getter or a Proxy trap that throws: what was written so far stands
    cut = true;
  }
  if (!cut && !stack.length) return out;
  return out.length >= limit ? `${out.slice(0, limit - 1)}${ELLIPSIS}` : `${out}${ELLIPSIS}`;
}

/** A JSON string literal of at most `room` characters' worth of `s` (escapes included, never more than needed). */
function quote(s: string, room: number): string {
  const head = s.length > room ? s.slice(0, Math.max(0, room)) : s;
  return JSON.stringify(head);
}

/** `text` cut to `max` characters (with a marker saying how long it was). */
export function bounded(text: string, max = 300): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

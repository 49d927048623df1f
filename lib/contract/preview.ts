// A short, safe description of an untrusted value for error messages. Error messages are logged and
// stored with dead letters, so they never serialise the input unbounded (a deeply nested payload
// overflowed the stack inside JSON.stringify) and never throw. Pure.

/** At most `max` characters describing `v`: strings and numbers quoted/truncated, containers by kind and size. */
export function preview(v: unknown, max = 80): string {
  let s: string;
  switch (typeof v) {
    case "string":
      s = JSON.stringify(v.length > max ? `${v.slice(0, max)}…` : v);
      break;
    case "number":
    case "boolean":
    case "bigint":
      s = String(v);
      break;
    case "undefined":
      s = "undefined";
      break;
    case "object":
      if (v === null) s = "null";
      else if (Array.isArray(v)) s = `an array of ${v.length}`;
      else s = "an object";
      break;
    default:
      s = `a ${typeof v}`;
  }
  return s.length > max + 3 ? `${s.slice(0, max)}…` : s;
}

/** `text` cut to `max` characters (with a marker saying how long it was). */
export function bounded(text: string, max = 300): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

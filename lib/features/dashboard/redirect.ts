// Where the browser goes after sign-in: only a path on this server. Pure (runs in the browser and on
// the server). An open redirect would let a phishing link (`/login?next=//evil.example`) borrow
// Andon's sign-in page; browsers read `/\evil.example` like `//evil.example`, and a backslash or a
// control character inside is never part of an Andon path, so any of them (also percent-encoded)
// falls back to "/".

const BASE = "http://andon.invalid";
// a backslash, an ASCII control character (TAB, CR, LF: browsers drop them from URLs), a space or DEL
const suspect = (path: string) => [...path].some((ch) => ch === "\\" || ch.charCodeAt(0) <= 0x20 || ch.charCodeAt(0) === 0x7f);

function looksLocal(path: string): boolean {
  return path.startsWith("/") && !path.startsWith("//") && !suspect(path);
}

/** `next` when it is a same-origin path (with its query and fragment), otherwise "/". */
export function safeNextPath(next: string | null | undefined): string {
  if (typeof next !== "string" || next.length === 0 || next.length > 2048) return "/";
  let decoded: string;
  try {
    decoded = decodeURIComponent(next);
  } catch {
    return "/";
  }
  if (!looksLocal(next) || !looksLocal(decoded)) return "/";
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return "/";
  }
  if (url.origin !== BASE) return "/";
  return `${url.pathname}${url.search}${url.hash}`;
}

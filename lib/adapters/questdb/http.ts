// QuestDB's HTTP /exec endpoint: DDL and small admin queries. Queries from the app go over PG wire (pg.ts).
// Credentials travel as userinfo in the URL (http://user:password@host:9000, QUESTDB_HTTP_URL) and are
// sent as HTTP basic auth; fetch refuses URLs with userinfo, and no message ever shows the password.

export class QuestDbError extends Error {
  override name = "QuestDbError";
}

export interface ExecResult {
  columns?: { name: string; type: string }[];
  dataset?: unknown[][];
  count?: number;
  ddl?: string;
}

/** The URL without its password, for messages and logs. */
export function redactUrl(httpUrl: string): string {
  try {
    const u = new URL(httpUrl);
    if (u.password) u.password = "***";
    return u.toString().replace(/\/$/, "");
  } catch {
    return "(invalid URL)";
  }
}

/** The URL without userinfo, and the Authorization header its userinfo stands for. */
export function splitCredentials(httpUrl: string): { url: URL; headers: Record<string, string> } {
  const url = new URL(httpUrl);
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  url.username = "";
  url.password = "";
  const headers: Record<string, string> = user ? { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` } : {};
  return { url, headers };
}

export async function questExec(httpUrl: string, sql: string, timeoutMs = 30_000): Promise<ExecResult> {
  const { url: base, headers } = splitCredentials(httpUrl);
  const url = new URL("/exec", base);
  url.searchParams.set("query", sql);
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    throw new QuestDbError(`QuestDB at ${redactUrl(httpUrl)} unreachable: ${(e as Error).message}`);
  }
  if (res.status === 401 || res.status === 403) {
    throw new QuestDbError(
      `QuestDB at ${redactUrl(httpUrl)} refused the credentials (HTTP ${res.status}): QUESTDB_HTTP_URL must carry its HTTP user and password (http://user:password@host:port)`,
    );
  }
  const body = (await res.json().catch(() => ({}))) as ExecResult & { error?: string };
  if (!res.ok || body.error) throw new QuestDbError(`QuestDB rejected query: ${body.error ?? res.status}`);
  return body;
}

export async function questPing(httpUrl: string): Promise<boolean> {
  try {
    await questExec(httpUrl, "SELECT 1", 2000);
    return true;
  } catch {
    return false;
  }
}

// QuestDB's HTTP /exec endpoint: DDL and small admin queries. Queries from the app go over PG wire (pg.ts).

export class QuestDbError extends Error {
  override name = "QuestDbError";
}

export interface ExecResult {
  columns?: { name: string; type: string }[];
  dataset?: unknown[][];
  count?: number;
  ddl?: string;
}

export async function questExec(httpUrl: string, sql: string, timeoutMs = 30_000): Promise<ExecResult> {
  const url = new URL("/exec", httpUrl);
  url.searchParams.set("query", sql);
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    throw new QuestDbError(`QuestDB at ${httpUrl} unreachable: ${(e as Error).message}`);
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

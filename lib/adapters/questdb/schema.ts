import { questExec } from "./http.ts";
import { DDL } from "./tables.ts";

/** Creates the telemetry tables if they do not exist (idempotent). */
export async function ensureQuestSchema(httpUrl: string): Promise<void> {
  for (const sql of DDL) await questExec(httpUrl, sql.replace(/\s+/g, " "));
}

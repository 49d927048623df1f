// Empties every table of Andon's in QuestDB (`andon demo reset`): telemetry, dead letters, OEE
// results and late marks. The tables stay, with their settings; only their rows go.
import type pg from "pg";
import { TABLES } from "./tables.ts";

export async function truncateAndonTables(pool: pg.Pool): Promise<string[]> {
  const names = Object.values(TABLES);
  for (const t of names) await pool.query(`TRUNCATE TABLE ${t}`);
  return names;
}

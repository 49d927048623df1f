// Server-side handles shared by pages and route handlers: one Prisma client and one QuestDB pool per
// process (kept on globalThis so Next.js dev reloads do not open new pools).
import type { Queue } from "bullmq";
import { Redis } from "ioredis";
import type pg from "pg";
import { config } from "../config.ts";
import { prismaFor } from "../db/client.ts";
import { questPool } from "../questdb/pg.ts";
import { oeeQueue } from "../queues/oee.ts";

const g = globalThis as unknown as { __andonQuestPool?: pg.Pool };

export const db = () => prismaFor(config().DATABASE_URL);

export function quest(): pg.Pool {
  const cfg = config();
  g.__andonQuestPool ??= questPool(cfg.QUESTDB_PG_URL, cfg.QUESTDB_PG_PASSWORD);
  return g.__andonQuestPool;
}

const q = globalThis as unknown as { __andonOeeQueue?: Queue };

/** The OEE queue, to ask for recomputes (after a reason edit). */
export function oeeJobs(): Queue {
  q.__andonOeeQueue ??= oeeQueue(new Redis(config().REDIS_URL, { maxRetriesPerRequest: null }));
  return q.__andonOeeQueue;
}

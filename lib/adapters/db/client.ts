// One Prisma client per process (kept on globalThis so Next.js dev reloads do not open new pools).
import { PrismaPg } from "@prisma/adapter-pg";
import { type Prisma, PrismaClient } from "./generated/client.ts";

const g = globalThis as unknown as { __andonPrisma?: Map<string, PrismaClient> };

export function prismaFor(databaseUrl: string): PrismaClient {
  g.__andonPrisma ??= new Map();
  let client = g.__andonPrisma.get(databaseUrl);
  if (!client) {
    client = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
    g.__andonPrisma.set(databaseUrl, client);
  }
  return client;
}

export type { Prisma, PrismaClient };

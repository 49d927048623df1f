// Prisma CLI configuration (Prisma 7). The datasource URL comes from Andon's own config.
import { defineConfig } from "prisma/config";
import { config } from "./lib/platform/config.ts";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: config().DATABASE_URL },
});

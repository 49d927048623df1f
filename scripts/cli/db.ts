import { join } from "node:path";
import { parseArgs } from "node:util";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { ensureDatabase, migrate } from "#lib/adapters/db/migrate.ts";
import { readPlantFile } from "#lib/adapters/db/plant.ts";
import { machineCount, seedPlant } from "#lib/adapters/db/seed.ts";
import { config, repoRoot } from "#lib/platform/config.ts";

export const DEMO_PLANT = join(repoRoot, "prisma", "seed", "demo-plant.json");

/**
 * Migrates, then loads the plant file. With `onlyIfEmpty` (what `andon up` does) an asset model that
 * already has machines is left alone, so edits made to it survive restarts.
 */
export async function migrateAndSeed(say: (m: string) => void, plantFile = DEMO_PLANT, onlyIfEmpty = false): Promise<void> {
  const cfg = config();
  if (await ensureDatabase(cfg.DATABASE_URL)) say(`created database ${new URL(cfg.DATABASE_URL).pathname.slice(1)}`);
  const r = await migrate(cfg.DATABASE_URL, join(repoRoot, "prisma", "migrations"), say);
  say(`migrations: ${r.applied.length} applied, ${r.alreadyApplied} already there`);
  const prisma = prismaFor(cfg.DATABASE_URL);
  const existing = await machineCount(prisma);
  if (onlyIfEmpty && existing > 0) {
    say(`asset model: ${existing} machines (kept as they are; \`andon db seed\` reloads the demo plant)`);
  } else {
    const { machines } = await seedPlant(prisma, readPlantFile(plantFile));
    say(`asset model: ${machines} machines from ${plantFile.replace(`${repoRoot}/`, "")}`);
  }
  await prisma.$disconnect();
}

export async function run(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  const { values } = parseArgs({ args: rest, options: { file: { type: "string" } } });
  const cfg = config();
  if (sub === "migrate") {
    await ensureDatabase(cfg.DATABASE_URL);
    const r = await migrate(cfg.DATABASE_URL, join(repoRoot, "prisma", "migrations"), console.log);
    console.log(`${r.applied.length} applied, ${r.alreadyApplied} already applied`);
  } else if (sub === "seed") {
    await migrateAndSeed(console.log, values.file ?? DEMO_PLANT);
  } else {
    throw Object.assign(new Error("usage: andon db migrate | andon db seed [--file plant.json]"), { name: "UsageError" });
  }
}

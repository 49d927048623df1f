// The team's shared third-party datasets (NAB, SKAB): ANDON_DATASETS, else next to the repository
// (../shared/datasets), else where the machines keep them. The tests that need them fail, not skip,
// when they are not found: a detector figure nobody checked is not a passing test.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "#lib/platform/config.ts";

export const datasets = [process.env.ANDON_DATASETS, join(repoRoot, "..", "shared", "datasets"), "/work/shared/datasets"].find(
  (d) => d && existsSync(join(d, "nab")) && existsSync(join(d, "skab")),
);

/** The folder of one dataset; throws, naming ANDON_DATASETS, when the datasets are not found. */
export function dataset(name: "nab" | "skab"): string {
  if (!datasets) throw new Error("the shared datasets (NAB, SKAB) were not found: set ANDON_DATASETS to their folder");
  return join(datasets, name);
}

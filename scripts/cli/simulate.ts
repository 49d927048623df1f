import { parseArgs } from "node:util";

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { seed: { type: "string" }, "interval-ms": { type: "string" }, degrade: { type: "string" } } });
  // Flags are another way to set the SIM_* variables; lib/platform/config.ts validates them either way.
  if (values.seed) process.env.SIM_SEED = values.seed;
  if (values["interval-ms"]) process.env.SIM_INTERVAL_MS = values["interval-ms"];
  if (values.degrade) process.env.SIM_DEGRADE = values.degrade;
  await import("../../workers/simulator.ts");
}

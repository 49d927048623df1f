// andon <command>: the command-line entry point. Each command lives in its own file.
import { ConfigError } from "../../lib/config.ts";

const HELP = `andon - OEE and predictive maintenance over MQTT

  andon up                      start everything: services, migrations, seed, ingest, simulator, dashboard
  andon simulate                run the plant simulator (SIM_* settings; --seed, --interval-ms, --degrade)
  andon ingest                  run one ingest worker
  andon db migrate              apply prisma/migrations (offline)
  andon db seed [--file F]      load a plant file (default: the demo plant)
  andon bench ingest [options]  measure the ingest pipeline against a counting baseline
  andon oee compute --input F   OEE of one machine from a JSON-lines event file (docs/oee.md) [--config mapping.json]
  andon config                  print the configuration variables and their values (secrets hidden)

  Not built yet (see the open issues): pdm evaluate, bench oee`;

const commands: Record<string, () => Promise<{ run(argv: string[]): Promise<void> }>> = {
  up: () => import("./up.ts"),
  simulate: () => import("./simulate.ts"),
  ingest: () => import("./ingest.ts"),
  db: () => import("./db.ts"),
  bench: () => import("./bench.ts"),
  config: () => import("./show-config.ts"),
  oee: () => import("./oee.ts"),
};

const [cmd, ...rest] = process.argv.slice(2);
if (!cmd || cmd === "help" || cmd === "--help" || cmd === "-h") {
  console.log(HELP);
  process.exit(cmd ? 0 : 1);
}
const load = commands[cmd];
if (!load) {
  const later = ["pdm"].includes(cmd) ? ` ("andon ${cmd}" is not built yet)` : "";
  console.error(`unknown command "${cmd}"${later}\n\n${HELP}`);
  process.exit(2);
}
try {
  await (await load()).run(rest);
} catch (e) {
  if (e instanceof ConfigError || (e as Error).name === "ServiceError" || (e as Error).name === "UsageError") {
    console.error(`andon ${cmd}: ${(e as Error).message}`);
    process.exit(2);
  }
  throw e;
}

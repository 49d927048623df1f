// andon <command>: the command-line entry point. Each command lives in its own file.
import { ConfigError } from "#lib/platform/config.ts";

const HELP = `andon - OEE and predictive maintenance over MQTT

  andon up [--topology multi-site] [--broker mosquitto|hivemq]
                                start everything: services, migrations, seed, ingest, simulator, dashboard
                                (hivemq: Andon's own HiveMQ CE at MQTT_URL instead of Mosquitto)
                                (multi-site: a central broker and one factory broker per site, bridged, TLS, generated accounts)
  andon demo reset [--yes]      delete the demo plant's data and start again, filling a fresh week of history
  andon broker config [--gateways site|machine] [--auth password|certificate]
                                broker accounts, ACLs, certificates and bridges from the asset model (docs/deployment.md)
  andon simulate                run the plant simulator (SIM_* settings; --seed, --interval-ms, --degrade)
  andon ingest                  run one ingest worker
  andon db migrate              apply prisma/migrations (offline)
  andon db seed [--file F]      load a plant file (default: the demo plant)
  andon bench ingest [options]  measure the ingest pipeline against a counting baseline
  andon bench oee [options]     time the shift roll-up of 1,000 machines x 8 h of 1 Hz data
  andon bench dashboard|pdm|fuzz|forward [options]
                                the dashboard's API under load, snapshot analysis, dead-lettering, the Kafka forwarder
  andon oee compute --input F   OEE of one machine from a JSON-lines event file (docs/oee.md) [--config mapping.json]
  andon oee export --machine P --from T --to T   a machine's raw events as \`oee compute\` input
  andon users add --username U --role R [--sites E/S,...]   a dashboard account (password shown once)
  andon tokens create --name N --role R [--sites E/S,...]   an API token for MES/ERP/BI (shown once)
  andon pdm evaluate --dataset DIR --format nab|skab   the anomaly detector on a public benchmark
  andon config                  print the configuration variables and their values (secrets hidden)`;

const commands: Record<string, () => Promise<{ run(argv: string[]): Promise<void> }>> = {
  up: () => import("./up.ts"),
  demo: () => import("./demo.ts"),
  broker: () => import("./broker.ts"),
  simulate: () => import("./simulate.ts"),
  ingest: () => import("./ingest.ts"),
  db: () => import("./db.ts"),
  bench: () => import("./bench.ts"),
  config: () => import("./show-config.ts"),
  oee: () => import("./oee.ts"),
  users: () => import("./users.ts"),
  tokens: () => import("./tokens.ts"),
  pdm: () => import("./pdm.ts"),
};

const [cmd, ...rest] = process.argv.slice(2);
const asksHelp = (a: string) => a === "--help" || a === "-h";
if (!cmd || cmd === "help" || asksHelp(cmd) || rest.some(asksHelp)) {
  console.log(HELP);
  process.exit(cmd ? 0 : 1);
}
const load = commands[cmd];
if (!load) {
  console.error(`unknown command "${cmd}"\n\n${HELP}`);
  process.exit(2);
}
try {
  await (await load()).run(rest);
} catch (e) {
  if (e instanceof ConfigError || (e as Error).name === "ServiceError" || (e as Error).name === "UsageError") {
    console.error(`andon ${cmd}: ${(e as Error).message}`);
    process.exit(2);
  }
  // an unknown option, a missing value, a stray argument (node:util parseArgs): what is wrong, not a stack trace
  if (String((e as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS_")) {
    console.error(`andon ${cmd}: ${(e as Error).message}\n(andon help lists the commands and their options)`);
    process.exit(2);
  }
  throw e;
}

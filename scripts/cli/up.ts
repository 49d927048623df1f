// andon up: the whole stack on one machine, with the plant simulator. Ctrl-C stops what it started.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { AbortError } from "p-retry";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { loadMachines, type MachineInfo } from "#lib/adapters/db/plant.ts";
import { readMetric } from "#lib/adapters/http/metrics-server.ts";
import { ensureQuestSchema } from "#lib/adapters/questdb/schema.ts";
import { ensureFirstAdmin } from "#lib/features/auth/sessions.ts";
import { demoMachine } from "#lib/features/sim/demo-degrade.ts";
import { fillDemoHistory } from "#lib/features/sim/demo-history.ts";
import { resetDemo } from "#lib/features/sim/demo-reset.ts";
import { parseDegrade } from "#lib/features/sim/run.ts";
import { ensureServices } from "#lib/features/stack/ensure.ts";
import { ingestProcess } from "#lib/features/stack/ingest-process.ts";
import { waitFor } from "#lib/features/stack/net.ts";
import { stackListens } from "#lib/features/stack/ports.ts";
import { type Managed, spawnScript } from "#lib/features/stack/process.ts";
import { processStatusFile, Supervisor } from "#lib/features/stack/supervisor.ts";
import { ensureWebBuild, startWeb } from "#lib/features/stack/web.ts";
import { type Config, config } from "#lib/platform/config.ts";
import { migrateAndSeed } from "./db.ts";
import { type MultiSite, startMultiSite } from "./up-multi-site.ts";

const say = (m: string) => console.log(`[andon] ${m}`);

function nodeProcess(name: string, script: string, logDir: string, env: Record<string, string> = {}): Managed {
  // the ingest worker bundled and with a bounded heap (lib/features/stack/ingest-process.ts); the others through tsx
  const how = script === "workers/ingest.ts" ? ingestProcess(config()) : {};
  return spawnScript(name, script, { logFile: join(logDir, `${name}.log`), env, ...how });
}

async function ingestSubscribed(ingest: Managed, port: number, say: (m: string) => void): Promise<void> {
  if (!port) return;
  const exited = new Error(`the ingest worker exited at start; see ${ingest.name}.log under the logs folder`);
  const subscribed = async () => {
    if (ingest.child.exitCode !== null) throw new AbortError(exited); // no use waiting longer
    return (await readMetric(port, "andon_ingest_subscribed")) === 1;
  };
  await waitFor("the ingest worker's subscription", subscribed, 60_000, 250).catch((e: unknown) => {
    if (e === exited) throw e;
    say("the ingest worker has not subscribed after 60 s; starting the simulator anyway (see logs/ingest.log)");
  });
}

/** `resetDemo`: `andon demo reset` — the demo plant's data is deleted once the services are up, before anything else starts. */
export async function run(argv: string[] = [], o: { resetDemo?: boolean } = {}): Promise<void> {
  const started = Date.now();
  const cfg0 = config();
  const { values } = parseArgs({ args: argv, options: { topology: { type: "string" }, broker: { type: "string" } } });
  const topology = values.topology ?? cfg0.ANDON_TOPOLOGY;
  if (topology !== "single" && topology !== "multi-site") {
    throw Object.assign(new Error("--topology must be single or multi-site"), { name: "UsageError" });
  }
  const broker = values.broker ?? cfg0.ANDON_BROKER;
  if (broker !== "mosquitto" && broker !== "hivemq") {
    throw Object.assign(new Error("--broker must be mosquitto or hivemq"), { name: "UsageError" });
  }
  if (broker === "hivemq" && topology === "multi-site") {
    throw Object.assign(new Error("--broker hivemq runs the single topology only: the multi-site brokers are Mosquitto, bridged (HiveMQ CE has no bridge)"), {
      name: "UsageError",
    });
  }
  say(`starting Andon (state in ${cfg0.ANDON_HOME}${topology === "multi-site" ? "; multi-site brokers" : ""})`);
  // every port it will listen on is checked before anything starts (a taken one: exit 2 naming its setting)
  const services = await ensureServices(cfg0, say, { mqtt: topology === "single", broker, listens: stackListens(cfg0, topology === "multi-site") });
  if (services.generated.QUESTDB_PG_PASSWORD) process.env.QUESTDB_PG_PASSWORD = services.generated.QUESTDB_PG_PASSWORD;
  // config() was read before the password was generated (first start): this process's own queries need it too
  // (the history fill's WAL wait and reasons failed with "invalid username/password" on every first start)
  const cfg = { ...config(), ...services.generated };
  // workers and the dashboard: restarted with back-off when they die (lib/features/stack/supervisor.ts)
  const supervisor = new Supervisor({ statusFile: processStatusFile(cfg.ANDON_HOME), say, onFatal: () => void stopAll(1) });
  const brokers: Managed[] = [];
  let multi: MultiSite | undefined;
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say("stopping ...");
    multi?.stopWatching();
    await supervisor.stopAll();
    for (const b of [...brokers].reverse()) await b.stop();
    for (const s of [...services.owned].reverse()) await s.stop();
    say("stopped");
    process.exit(code);
  };
  process.on("SIGINT", () => void stopAll(0));
  process.on("SIGTERM", () => void stopAll(0));

  try {
    await migrateAndSeed(say, undefined, true);
    const firstAdmin = await ensureFirstAdmin(prismaFor(cfg.DATABASE_URL));
    await ensureQuestSchema(cfg.QUESTDB_HTTP_URL);
    if (o.resetDemo) await resetDemo(cfg, say);
    const logs = join(cfg.ANDON_HOME, "logs");
    mkdirSync(logs, { recursive: true });

    if (topology === "multi-site") multi = await startMultiSite(cfg, say, (b) => brokers.push(b));
    const worker = (name: string, script: string, env?: Record<string, string>) =>
      supervisor.start({ name, logFile: join(logs, `${name}.log`), start: () => nodeProcess(name, script, logs, env) });
    const ingest = await worker("ingest", "workers/ingest.ts", multi?.ingest);
    // the simulator starts once the ingest worker holds its subscriptions: on a first start the broker
    // has no session for it yet, and each machine's first state (sent once, then only on change)
    // would be lost, leaving machines "no data" until their state next changed
    await ingestSubscribed(ingest, Number(multi?.ingest?.INGEST_METRICS_PORT ?? cfg.INGEST_METRICS_PORT), say);
    // a first start: the demo plant's last days, so every page has something to show at once
    const history = multi ? undefined : await fillDemoHistory(cfg, await loadMachines(prismaFor(cfg.DATABASE_URL)), say);
    // after a fresh history the simulator first publishes from its end to the clock (no minutes without data)
    const continueFrom: Record<string, string> = history?.filled ? { SIM_CONTINUE_FROM: history.to } : {};
    for (const sim of multi?.simulators ?? [{ name: "simulator", env: { ...(await demoDegrade(cfg, say)), ...continueFrom } }])
      await worker(sim.name, "workers/simulator.ts", sim.env);
    await worker("oee", "workers/oee.ts");
    await worker("pdm", "workers/pdm.ts", multi?.pdm);
    await worker("commands", "workers/commands.ts", multi?.commands);
    // the Kafka forwarder only where a Kafka is configured (docs/deployment.md "Forwarding to Kafka")
    if (cfg.KAFKA_BROKERS) await worker("forward", "workers/forward.ts");
    // a factory broker that dies takes its site offline: that stops the stack, loudly
    for (const b of brokers) {
      b.child.once("exit", (code) => {
        if (!stopping) {
          say(`${b.name} exited with code ${code}; see its mosquitto.log under brokers/`);
          void stopAll(1);
        }
      });
    }

    await ensureWebBuild(join(logs, "web-build.log"), say);
    const webLog = join(logs, "web.log");
    await supervisor.start({ name: "web", logFile: webLog, start: () => startWeb(cfg.WEB_PORT, multi?.web ?? {}, webLog) });

    say("");
    say(`Andon is running (${((Date.now() - started) / 1000).toFixed(0)} s): open http://127.0.0.1:${cfg.WEB_PORT}`);
    say(`logs in ${logs}; ingest metrics on http://127.0.0.1:${cfg.INGEST_METRICS_PORT}/metrics. Ctrl-C stops everything.`);
    if (firstAdmin) {
      // shown once, here only: it is stored hashed and never logged
      say("");
      say("First start: an administrator was created. Sign in with");
      say(`    user name: ${firstAdmin.username}`);
      say(`    password:  ${firstAdmin.password}`);
      say("This password is shown only now. Create other users with `andon users add`.");
    }
    say("");

    let last = 0;
    let lastAt = Date.now();
    setInterval(async () => {
      const rows = await readMetric(cfg.INGEST_METRICS_PORT, "andon_ingest_rows_written_total");
      const dead = await readMetric(cfg.INGEST_METRICS_PORT, "andon_ingest_dead_lettered_total");
      if (Number.isNaN(rows)) return;
      const now = Date.now();
      say(`ingest: ${rows} rows written (${((rows - last) / ((now - lastAt) / 1000)).toFixed(0)}/s), ${dead} dead letters`);
      last = rows;
      lastAt = now;
    }, 15_000).unref();
  } catch (e) {
    console.error(`[andon] ${(e as Error).message}`);
    await stopAll((e as Error).name === "ServiceError" ? 2 : 1); // a port or service to set, as before the start
  }
}

/**
 * The demo's degrading machine (SIM_DEMO_DEGRADE) when SIM_DEGRADE names none and the asset model has
 * it: a first start shows a real alert, with its forecast, within about ten minutes. Its line must have
 * a shift meanwhile; if it has none, the same-named machine of a line that has takes its place
 * (lib/features/sim/demo-degrade.ts).
 */
async function demoDegrade(cfg: Config, say: (s: string) => void): Promise<Record<string, string>> {
  if (cfg.SIM_DEGRADE || cfg.SIM_DEMO_DEGRADE === "none") return {};
  try {
    const machines = await loadMachines(prismaFor(cfg.DATABASE_URL));
    const out: string[] = [];
    // a stand-in is never the history's degrading machine (lib/features/sim/demo-degrade.ts)
    const historyDegraded = new Set(cfg.SIM_HISTORY_DEGRADE === "none" ? [] : parseDegrade(cfg.SIM_HISTORY_DEGRADE, machines).keys());
    for (const [key, hours] of parseDegrade(cfg.SIM_DEMO_DEGRADE, machines)) {
      const configured = machines.find((m) => m.key === key) as MachineInfo;
      const choice = demoMachine(configured, machines, Date.now(), hours * 3_600_000 + 3 * 60_000, historyDegraded);
      const short = (m: MachineInfo) => m.key.slice(m.path.enterprise.length + 1);
      if (!choice.machine) {
        say(
          `demo: no live degradation now: no line with a ${configured.path.machine} has a shift for the next ${Math.round(hours * 60) + 3} min (the history's alerts, cleared since, are in the inbox: /alerts?state=all)`,
        );
        continue;
      }
      if (choice.instead) say(`demo: ${short(choice.instead)}'s line has no shift now; ${short(choice.machine)} (a line with a shift) takes its place`);
      say(`demo: ${choice.machine.key}'s bearing degrades to failure in ${Math.round(hours * 60)} min (SIM_DEMO_DEGRADE; none: off)`);
      out.push(`${short(choice.machine)}:${hours}`);
    }
    return out.length ? { SIM_DEGRADE: out.join(",") } : {};
  } catch (e) {
    say(`demo degradation skipped: ${e instanceof Error ? e.message : String(e)}`);
    return {};
  }
}

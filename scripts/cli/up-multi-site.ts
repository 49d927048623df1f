// `andon up --topology multi-site`: a central broker and one factory broker per site of the asset model,
// generated (accounts, ACLs, TLS, bridges) into $ANDON_HOME/brokers and started here; each Andon process
// gets the MQTT_* settings of its own account. docs/deployment.md.

import { type PrismaClient, prismaFor } from "#lib/adapters/db/client.ts";
import { devicePasswdLines } from "#lib/adapters/db/device-accounts.ts";
import { loadMachines } from "#lib/adapters/db/plant.ts";
import { type MachinePath, machineKey } from "#lib/contract/identity.ts";
import { type BrokerId, CENTRAL, gatewayUser, SERVICE_USERS } from "#lib/features/broker/acl.ts";
import type { GeneratedBrokers } from "#lib/features/broker/generate.ts";
import { assetMachines, clientEnv, describeCreated, generateFromConfig, sparkplugAccess } from "#lib/features/broker/setup.ts";
import type { SparkplugAccess } from "#lib/features/broker/sparkplug-acl.ts";
import { startBroker } from "#lib/features/broker/start.ts";
import { parseSparkplugLines } from "#lib/features/sim/run.ts";
import { sparkplugSimMappings } from "#lib/features/sim/sparkplug-edge.ts";
import { ServiceError } from "#lib/features/stack/ensure.ts";
import { type PortUse, portProblems, stackListens } from "#lib/features/stack/ports.ts";
import type { Managed } from "#lib/features/stack/process.ts";
import type { Config } from "#lib/platform/config.ts";

type Env = Record<string, string>;

export interface MultiSite {
  brokers: Managed[];
  ingest: Env;
  pdm: Env;
  /** For the command service (issue 6, workers/commands.ts): the `andon-command` account on the central broker. */
  commands: Env;
  web: Env;
  simulators: { name: string; env: Env }[];
  /** Stops the asset-model watcher. */
  stopWatching(): void;
}

const machinesSignature = (machines: MachinePath[]) => machines.map(machineKey).sort().join("\n");
const devicesSignature = (devices: ReadonlyMap<string, string>) => [...devices.values()].sort().join("\n");
/**
 * The Sparkplug part of the broker configuration: the admins' mapping plus the one the simulators write when they
 * start (SIM_SPARKPLUG_LINES), so that their edge nodes are granted from the first start, not a minute later.
 */
async function sparkplugWithSimulator(cfg: Config, prisma: PrismaClient): Promise<SparkplugAccess> {
  const access = await sparkplugAccess(cfg, prisma);
  if (!cfg.SIM_SPARKPLUG_LINES) return access;
  const machines = await loadMachines(prisma);
  const keys = parseSparkplugLines(cfg.SIM_SPARKPLUG_LINES, machines);
  return {
    ...access,
    mappings: [
      ...access.mappings,
      ...sparkplugSimMappings(
        cfg.SIM_SPARKPLUG_GROUP,
        machines.filter((m) => keys.has(m.key)),
      ),
    ],
  };
}
const sparkplugSignature = (s: SparkplugAccess) =>
  [...new Set(s.mappings.map((m) => `${m.group}/${m.edgeNode}/${m.device} ${m.machine} ${m.channel}`))].sort().join("\n");

export async function startMultiSite(cfg: Config, say: (m: string) => void, onStarted: (m: Managed) => void): Promise<MultiSite> {
  if (cfg.BROKER_GATEWAY_ACCOUNTS !== "site") {
    throw new ServiceError(
      "the simulator publishes as its site's gateway, so `andon up --topology multi-site` needs BROKER_GATEWAY_ACCOUNTS=site (per-machine accounts are for real gateways: `andon broker config --gateways machine`)",
    );
  }
  const prisma = prismaFor(cfg.DATABASE_URL);
  let machines = await assetMachines(prisma);
  // devices' own accounts, made on the dashboard's "Connect a machine" page (hash lines only)
  let devices = await devicePasswdLines(prisma);
  // the Sparkplug mapping says which edge nodes a site's gateway may be
  let sparkplug = await sparkplugWithSimulator(cfg, prisma);
  const g = generateFromConfig(cfg, machines, true, devices, sparkplug);
  // the central broker's port was checked with the others at start; the factory brokers' follow the asset model
  const problems = await portProblems([
    ...stackListens(cfg, true),
    ...g.sites.map(
      (b, i): PortUse => ({
        setting: "BROKER_SITE_PORTS_FROM",
        port: b.port,
        host: cfg.BROKER_BIND_HOST,
        what: `the ${b.id} factory broker`,
        derived: i === 0 ? "BROKER_SITE_PORTS_FROM" : `BROKER_SITE_PORTS_FROM + ${i}`,
      }),
    ),
  ]);
  // the dashboard and metrics ports are not taken yet: only problems with the brokers' ports count here
  const mine = problems.filter((p) => p.includes("factory broker"));
  if (mine.length) throw new ServiceError(mine.join("\n"));
  const brokers: Managed[] = [];
  const byId = new Map<BrokerId, Managed>();
  for (const b of [g.central, ...g.sites]) {
    const m = await startBroker(b);
    brokers.push(m);
    byId.set(b.id, m);
    onStarted(m);
    const label = b.id === CENTRAL ? "central broker" : `factory ${b.id}`;
    say(`${label.padEnd(24)} mqtts://${b.host}:${b.port} (started by Andon; ${b.dir})`);
  }
  showCreated(g, say);

  // Regenerate when the asset model or the device accounts change (checked every minute): accounts and ACLs
  // reload on SIGHUP; a new or removed site needs a restart.
  const timer = setInterval(async () => {
    try {
      const now = await assetMachines(prisma);
      const nowDevices = await devicePasswdLines(prisma);
      const nowSparkplug = await sparkplugWithSimulator(cfg, prisma);
      if (
        machinesSignature(now) === machinesSignature(machines) &&
        devicesSignature(nowDevices) === devicesSignature(devices) &&
        sparkplugSignature(nowSparkplug) === sparkplugSignature(sparkplug)
      )
        return;
      machines = now;
      devices = nowDevices;
      sparkplug = nowSparkplug;
      const again = generateFromConfig(cfg, now, true, devices, sparkplug);
      for (const m of byId.values()) m.child.kill("SIGHUP");
      say(
        `asset model, device accounts or Sparkplug mapping changed: broker accounts and ACLs regenerated and reloaded${again.removed.length ? `; removed ${again.removed.join(", ")}` : ""}${again.revoked.length ? `; revoked the certificates of ${again.revoked.join(", ")}` : ""}`,
      );
      showCreated(again, say);
      const sites = new Set(again.sites.map((s) => s.id));
      if (sites.size !== g.sites.length || g.sites.some((s) => !sites.has(s.id)))
        say("the set of sites changed: restart `andon up` to start or stop factory brokers");
    } catch (e) {
      say(`warning: could not regenerate the broker configuration: ${(e as Error).message}`);
    }
  }, 60_000);
  timer.unref();

  return {
    brokers,
    ingest: clientEnv(cfg, g, CENTRAL, SERVICE_USERS.ingest),
    pdm: clientEnv(cfg, g, CENTRAL, SERVICE_USERS.pdm),
    commands: clientEnv(cfg, g, CENTRAL, SERVICE_USERS.command),
    // the dashboard's "Connect a machine" page points devices at the factory brokers
    web: { ...clientEnv(cfg, g, CENTRAL, SERVICE_USERS.dashboard), ANDON_TOPOLOGY: "multi-site" },
    simulators: g.sites.map((s, i) => ({
      name: `simulator-${s.site.enterprise}.${s.site.site}`,
      env: {
        ...clientEnv(cfg, g, s.id, gatewayUser(s.site, "site")),
        SIM_SITES: s.site.key,
        ...(i > 0 ? { SIM_METRICS_PORT: "0" } : {}),
      },
    })),
    stopWatching: () => clearInterval(timer),
  };
}

function showCreated(g: GeneratedBrokers, say: (m: string) => void): void {
  if (g.created.length === 0) return;
  say("");
  say(
    g.created.some((c) => c.password)
      ? "New broker accounts. Passwords are shown only now: the brokers store them hashed; Andon's own accounts and the simulator's gateways are kept for the stack in brokers/secrets.json (mode 0600)."
      : "New broker accounts and their client certificates:",
  );
  for (const line of describeCreated(g)) say(line);
  say("");
}

// andon broker config: broker accounts, ACLs, TLS certificates and bridge configuration generated from the
// asset model into $ANDON_HOME/brokers (docs/deployment.md). Run it again after the asset model changed.
import { parseArgs } from "node:util";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { devicePasswdLines } from "#lib/adapters/db/device-accounts.ts";
import { CENTRAL } from "#lib/features/broker/acl.ts";
import { assetMachines, brokersDir, describeCreated, generateFromConfig, sparkplugAccess } from "#lib/features/broker/setup.ts";
import { config } from "#lib/platform/config.ts";

const usage = (m: string) => Object.assign(new Error(m), { name: "UsageError" });
const USAGE = "usage: andon broker config [--gateways site|machine] [--auth password|certificate]";

export async function run(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== "config") throw usage(USAGE);
  const { values } = parseArgs({ args: rest, options: { gateways: { type: "string" }, auth: { type: "string" } } });
  // the flags override BROKER_GATEWAY_ACCOUNTS and BROKER_CLIENT_AUTH for this run
  const base = config();
  if (values.gateways && values.gateways !== "site" && values.gateways !== "machine") throw usage(`--gateways must be site or machine\n${USAGE}`);
  if (values.auth && values.auth !== "password" && values.auth !== "certificate") throw usage(`--auth must be password or certificate\n${USAGE}`);
  const cfg = {
    ...base,
    BROKER_GATEWAY_ACCOUNTS: (values.gateways as "site" | "machine" | undefined) ?? base.BROKER_GATEWAY_ACCOUNTS,
    BROKER_CLIENT_AUTH: (values.auth as "password" | "certificate" | undefined) ?? base.BROKER_CLIENT_AUTH,
  };
  const prisma = prismaFor(cfg.DATABASE_URL);
  try {
    const machines = await assetMachines(prisma);
    // devices' own accounts made on the dashboard keep their passwords (hash lines from PostgreSQL)
    // Sparkplug B edge nodes are granted (and bridged) by the admins' mapping: regenerate after it changes
    const g = generateFromConfig(cfg, machines, false, await devicePasswdLines(prisma), await sparkplugAccess(cfg, prisma));
    console.log(`broker configuration in ${brokersDir(cfg)} (${g.plan.sites.length} sites, ${g.plan.accounts.length} accounts):`);
    console.log(`    central broker           ${g.central.conf}  (mqtts://${g.central.host}:${g.central.port})`);
    for (const s of g.sites) console.log(`    factory ${s.site.key.padEnd(16)} ${s.conf}  (mqtts://${s.host}:${s.port})`);
    console.log(`    CA certificate           ${g.cafile}`);
    const edgeNodes = g.plan.sites.flatMap((s) => (s.edgeNodes ?? []).map((n) => `${n.group}/${n.edgeNode} (${s.key})`));
    if (edgeNodes.length || cfg.INGEST_SPARKPLUG_GROUPS.length)
      console.log(
        `    Sparkplug B              host ${cfg.INGEST_SPARKPLUG_HOST_ID} reads ${cfg.INGEST_SPARKPLUG_GROUPS.join(", ") || "no group"}; edge nodes by the mapping: ${edgeNodes.join(", ") || "none"}`,
      );
    if (g.crl)
      console.log(
        `    revocation list          ${g.crl.file}  (${g.crl.revoked} revoked; valid until ${g.crl.nextUpdate.toISOString()}, renewed by every run)`,
      );
    if (g.created.length) {
      console.log("");
      console.log(
        cfg.BROKER_CLIENT_AUTH === "password"
          ? "New accounts. Their passwords are shown only now (the brokers store them hashed; Andon's own service accounts are kept in secrets.json, mode 0600):"
          : "New accounts and their client certificates (the key files are next to them, mode 0600):",
      );
      for (const line of describeCreated(g)) console.log(line);
    } else {
      console.log("no new accounts; existing passwords and certificates are kept");
    }
    if (g.removed.length) console.log(`removed accounts (no longer in the asset model): ${g.removed.join(", ")}`);
    if (g.revoked.length) console.log(`revoked client certificates (refused at the TLS handshake): ${g.revoked.join(", ")}`);
    if (g.restart.length) console.log(`restart these brokers once: their mosquitto.conf changed, which SIGHUP does not apply: ${g.restart.join(", ")}`);
    console.log("");
    console.log("Running brokers pick up changed accounts, ACLs and the revocation list on SIGHUP (`kill -HUP`); a new site needs its factory broker started.");
    console.log(
      `Accounts per broker: ${[CENTRAL, ...g.sites.map((s) => s.id)].map((b) => `${b}: ${g.plan.accounts.filter((a) => a.broker === b).length}`).join(", ")}`,
    );
  } finally {
    await prisma.$disconnect();
  }
}

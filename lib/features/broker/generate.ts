// Writes the broker configuration planned by lib/features/broker/acl.ts: per broker a folder with mosquitto.conf, acl,
// passwd (hashed by mosquitto_passwd), its TLS files and persistence; the CA and client certificates.
// Re-running it after the asset model changed keeps the passwords of accounts that still exist, creates new
// ones for new accounts (returned once, to be shown once) and drops the accounts that are gone (in certificate
// mode their certificates are revoked: lib/features/broker/revocation.ts, `crlfile` of every broker).
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MachinePath } from "#lib/contract/identity.ts";
import {
  type Account,
  accountsOn,
  aclText,
  type BrokerId,
  type BrokerPlan,
  bridgeUser,
  CENTRAL,
  type ClientAuth,
  type GatewayScope,
  planAccounts,
  type Site,
} from "./acl.ts";
import { handToBrokerUser, readJson, writeConf } from "./files.ts";
import { mosquittoConfText } from "./mosquitto-conf.ts";
import { hashPasswords, randomBrokerPassword, readPasswd } from "./passwd.ts";
import { ensureCa, issueCert } from "./pki.ts";
import { type Crl, isRevoked, revokeRemovedClients, writeCrl } from "./revocation.ts";
import type { SparkplugAccess } from "./sparkplug-acl.ts";

export interface BrokerFiles {
  id: BrokerId;
  /** Everything this broker reads: copy the folder to the factory host to run it there. */
  dir: string;
  conf: string;
  host: string;
  port: number;
}

export interface GenerateOptions {
  /** Usually `$ANDON_HOME/brokers`. */
  dir: string;
  machines: readonly MachinePath[];
  gateways: GatewayScope;
  clientAuth: ClientAuth;
  /** Address the listeners bind to. */
  bindHost: string;
  /** Name or address by which factories and services reach the central broker (in its certificate). */
  centralHost: string;
  centralPort: number;
  /** Port of each site's factory broker. */
  sitePort: (site: Site, index: number) => number;
  /** Name or address of each site's factory broker (in its certificate); default the bind host. */
  siteHost?: (site: Site) => string;
  maxQueuedMessages: number;
  /** Where a factory's bridge connects to (default: the central host and port; e.g. a WAN endpoint or a proxy). */
  bridgeRemote?: (site: Site) => { host: string; port: number };
  /**
   * Keep gateway passwords in the secrets file too. Only for `andon up`, where the simulator stands in for the
   * gateways; a real gateway's password is shown once and stored nowhere but hashed in the broker.
   */
  storeGatewaySecrets: boolean;
  /**
   * Device accounts made in the dashboard ("Connect a machine"): machine key -> the Mosquitto password file
   * line (the password itself was shown once and is kept nowhere). Password mode only.
   */
  devicePasswd?: ReadonlyMap<string, string>;
  /** Sparkplug B: the ingest worker's groups and host id, and the admins' mapping (which edge node is whose). */
  sparkplug?: SparkplugAccess;
}

export interface Credential {
  username: string;
  role: Account["role"];
  broker: BrokerId;
  /** Password mode: the new password (shown once). Certificate mode: the client certificate and key files. */
  password?: string;
  certfile?: string;
  keyfile?: string;
}

export interface GeneratedBrokers {
  plan: BrokerPlan;
  cafile: string;
  central: BrokerFiles;
  sites: (BrokerFiles & { site: Site })[];
  /** Accounts created by this run, with their secret: show them once. */
  created: Credential[];
  /** Accounts of the previous generation that no longer exist. */
  removed: string[];
  /** Certificate mode: the CNs whose client certificates this run revoked, and the revocation list the brokers load. */
  revoked: string[];
  crl?: Crl;
  /** Running brokers whose mosquitto.conf changed: SIGHUP does not apply listener settings (a new `crlfile` included). */
  restart: BrokerId[];
  /** 0600 JSON file {username: password} of Andon's own accounts (and, if asked, the simulator's gateways). */
  secretsFile: string;
}

const brokerDirName = (id: BrokerId) => (id === CENTRAL ? "central" : `site-${id.replace("/", ".")}`);

export function generateBrokers(o: GenerateOptions): GeneratedBrokers {
  const devices = o.clientAuth === "password" ? (o.devicePasswd ?? new Map<string, string>()) : new Map<string, string>();
  const plan = planAccounts(o.machines, o.gateways, new Set(devices.keys()), o.sparkplug);
  if (plan.sites.length === 0) throw new Error("the asset model has no machines: nothing to generate broker accounts for");
  // traversable (not listable) by the broker's user, which reads only its own folder; pki/ and secrets stay private
  mkdirSync(o.dir, { recursive: true, mode: 0o711 });
  chmodSync(o.dir, 0o711);
  const ca = ensureCa(join(o.dir, "pki"), "Andon broker CA");
  const secretsFile = join(o.dir, "secrets.json");
  const oldSecrets = readJson<Record<string, string>>(secretsFile, {});
  const manifestFile = join(o.dir, "accounts.json");
  const oldAccounts = readJson<{ username: string }[]>(manifestFile, []).map((a) => a.username);
  const secrets: Record<string, string> = {};
  const created: Credential[] = [];
  const keepSecret = (a: Account) => a.role !== "gateway" || o.storeGatewaySecrets;

  const brokers: (BrokerFiles & { site?: Site })[] = [
    { id: CENTRAL, dir: join(o.dir, "central"), conf: "", host: o.centralHost, port: o.centralPort },
    ...plan.sites.map((s, i) => ({
      id: s.key,
      site: s,
      dir: join(o.dir, brokerDirName(s.key)),
      conf: "",
      host: o.siteHost?.(s) ?? o.bindHost,
      port: o.sitePort(s, i),
    })),
  ];

  // every broker's server certificate first: the revocation list written below must not expire before any
  // certificate this run issues (issued after it, a second later, one outlived it by that second)
  for (const b of brokers) {
    mkdirSync(join(b.dir, "data"), { recursive: true });
    const hosts = [...new Set([b.host, "127.0.0.1", "localhost"])];
    const hostsFile = join(b.dir, "server.hosts");
    const server = { cert: join(b.dir, "server.crt"), key: join(b.dir, "server.key") };
    if (!existsSync(server.cert) || !existsSync(hostsFile) || readFileSync(hostsFile, "utf8") !== hosts.join(",")) {
      issueCert(ca, { cn: b.id === CENTRAL ? "andon-central-broker" : `andon-factory-broker.${b.id.replace("/", ".")}`, ...server, hosts });
      writeFileSync(hostsFile, hosts.join(","));
    }
  }

  // certificate mode: one client certificate per account, CN = user name
  const clientDir = join(o.dir, "clients");
  const clientCert = (username: string) => ({ certfile: join(clientDir, `${username}.crt`), keyfile: join(clientDir, `${username}.key`) });
  let revoked: string[] = [];
  let crl: Crl | undefined;
  if (o.clientAuth === "certificate") {
    mkdirSync(clientDir, { recursive: true, mode: 0o700 });
    revoked = revokeRemovedClients(ca, clientDir, new Set(plan.accounts.map((a) => a.username)));
    for (const a of plan.accounts) {
      const f = clientCert(a.username);
      if (existsSync(f.certfile) && existsSync(f.keyfile) && !isRevoked(ca, f.certfile)) continue;
      issueCert(ca, { cn: a.username, cert: f.certfile, key: f.keyfile });
      created.push({ username: a.username, role: a.role, broker: a.broker, ...f });
    }
    crl = writeCrl(ca); // on every run: the revocations, and a nextUpdate that moves forward
  }
  const tlsFiles = (dir: string) => ({
    cafile: join(dir, "ca.crt"),
    certfile: join(dir, "server.crt"),
    keyfile: join(dir, "server.key"),
    ...(crl ? { crlfile: join(dir, "ca.crl") } : {}),
  });

  for (const b of brokers) {
    const accounts = accountsOn(plan, b.id);
    const tls = tlsFiles(b.dir);
    copyFileSync(ca.cert, tls.cafile);
    if (crl && tls.crlfile) copyFileSync(crl.file, tls.crlfile);

    // password mode: keep the hashes of accounts that still exist, hash new passwords for new ones
    if (o.clientAuth === "password") {
      const old = readPasswd(join(b.dir, "passwd"));
      const lines: string[] = [];
      const fresh: [string, string][] = [];
      for (const a of accounts) {
        const device = a.machine ? devices.get(a.machine) : undefined;
        if (device?.startsWith(`${a.username}:`)) {
          lines.push(device);
          continue;
        }
        const kept = old.get(a.username);
        const known = oldSecrets[a.username];
        if (kept && (known !== undefined || !keepSecret(a))) {
          lines.push(kept);
          if (known !== undefined) secrets[a.username] = known; // still valid: keep what `andon up` stored
        } else {
          const password = randomBrokerPassword();
          fresh.push([a.username, password]);
          if (keepSecret(a)) secrets[a.username] = password;
          created.push({ username: a.username, role: a.role, broker: a.broker, password });
        }
      }
      lines.push(...hashPasswords(b.dir, fresh));
      writeFileSync(join(b.dir, "passwd"), `${lines.join("\n")}\n`, { mode: 0o600 });
    }
    writeFileSync(join(b.dir, "acl"), aclText(accounts), { mode: 0o600 });
  }

  const restart: BrokerId[] = [];
  // the bridges need their account's secret in the factory broker's configuration (mode 0600)
  const central = brokers[0] as BrokerFiles;
  for (const b of brokers.slice(1)) {
    const site = b.site as Site;
    let auth: { password: string } | { certfile: string; keyfile: string };
    if (o.clientAuth === "password") {
      auth = { password: secrets[bridgeUser(site)] as string };
    } else {
      const f = clientCert(bridgeUser(site));
      copyFileSync(f.certfile, join(b.dir, "bridge.crt"));
      copyFileSync(f.keyfile, join(b.dir, "bridge.key"));
      auth = { certfile: join(b.dir, "bridge.crt"), keyfile: join(b.dir, "bridge.key") };
    }
    b.conf = join(b.dir, "mosquitto.conf");
    const text = mosquittoConfText({
      listener: {
        host: o.bindHost,
        port: b.port,
        tls: tlsFiles(b.dir),
        clientAuth: o.clientAuth,
      },
      dir: b.dir,
      maxQueuedMessages: o.maxQueuedMessages,
      bridge: {
        site,
        remoteHost: o.bridgeRemote?.(site).host ?? central.host,
        remotePort: o.bridgeRemote?.(site).port ?? central.port,
        cafile: join(b.dir, "ca.crt"),
        auth,
        ...(o.sparkplug ? { sparkplug: o.sparkplug } : {}),
      },
    });
    if (writeConf(b.conf, text)) restart.push(b.id);
  }
  central.conf = join(central.dir, "mosquitto.conf");
  const centralChanged = writeConf(
    central.conf,
    mosquittoConfText({
      listener: {
        host: o.bindHost,
        port: central.port,
        tls: tlsFiles(central.dir),
        clientAuth: o.clientAuth,
      },
      dir: central.dir,
      maxQueuedMessages: o.maxQueuedMessages,
    }),
  );
  if (centralChanged) restart.unshift(CENTRAL);
  for (const b of brokers) handToBrokerUser(b.dir);

  writeFileSync(secretsFile, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  chmodSync(secretsFile, 0o600);
  const current = new Set(plan.accounts.map((a) => a.username));
  writeFileSync(
    manifestFile,
    `${JSON.stringify(
      plan.accounts.map((a) => ({ username: a.username, role: a.role, broker: a.broker, site: a.site, machine: a.machine })),
      null,
      2,
    )}\n`,
  );
  return {
    plan,
    cafile: ca.cert,
    central,
    sites: brokers.slice(1).map((b) => ({ ...b, site: b.site as Site })),
    created,
    removed: oldAccounts.filter((u) => !current.has(u)),
    revoked,
    crl,
    restart,
    secretsFile,
  };
}

/** What a client needs to log in as `username`: its password from the secrets file, or its certificate files. */
export function clientCredentials(dir: string, username: string, clientAuth: ClientAuth): { password: string } | { certfile: string; keyfile: string } {
  if (clientAuth === "certificate") {
    const certfile = join(dir, "clients", `${username}.crt`);
    const keyfile = join(dir, "clients", `${username}.key`);
    if (!existsSync(certfile)) throw new Error(`no client certificate for ${username} in ${dir}/clients: run \`andon broker config\``);
    return { certfile, keyfile };
  }
  const password = readJson<Record<string, string>>(join(dir, "secrets.json"), {})[username];
  if (!password) throw new Error(`no stored password for ${username} in ${dir}/secrets.json: run \`andon broker config\``);
  return { password };
}

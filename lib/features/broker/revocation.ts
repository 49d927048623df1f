// Certificate revocation for the generated CA (lib/features/broker/pki.ts): a record of every certificate it issued
// (pki/issued.json: serial, CN, file, expiry), revocation of the client certificates of removed accounts and of
// replaced certificates, and the CA-signed revocation list (pki/ca.crl) the brokers load as `crlfile`.
import { execFileSync } from "node:child_process";
import { randomBytes, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Ca } from "./pki.ts";

/** Days a client or server certificate is valid (`issueCert`). */
export const CERT_DAYS = 825;
/**
 * Days until the CRL's nextUpdate. Past it OpenSSL refuses every client certificate of the CA, so it is as long as a
 * certificate lives: certificates are only issued by a generation run, which also writes a fresh CRL, so the CRL in
 * use always outlives every certificate it could have to refuse.
 */
export const CRL_DAYS = CERT_DAYS;
/** lastUpdate is set this far back, so that a factory host whose clock is behind still accepts a fresh CRL. */
const CRL_BACKDATE_MS = 24 * 3600_000;

export type RevokeReason = "cessationOfOperation" | "superseded";

export interface IssuedCert {
  /** Upper-case hex, as OpenSSL prints it. */
  serial: string;
  cn: string;
  /** Where the certificate was written when issued. */
  file: string;
  notAfter: string;
  recordedAt: string;
  revokedAt?: string;
  reason?: RevokeReason;
}

export interface Crl {
  file: string;
  nextUpdate: Date;
  /** Serials on the list (revoked and not yet expired). */
  revoked: number;
}

const recordFile = (ca: Ca) => join(dirname(ca.cert), "issued.json");

export function readIssued(ca: Ca): IssuedCert[] {
  const f = recordFile(ca);
  return existsSync(f) ? (JSON.parse(readFileSync(f, "utf8")) as IssuedCert[]) : [];
}

function writeIssued(ca: Ca, list: IssuedCert[]): void {
  const f = recordFile(ca);
  const tmp = `${f}.${randomBytes(4).toString("hex")}`;
  writeFileSync(tmp, `${JSON.stringify(list, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, f);
}

function describe(file: string): Pick<IssuedCert, "serial" | "cn" | "notAfter"> {
  const c = new X509Certificate(readFileSync(file));
  const cn = /^CN=(.*)$/m.exec(c.subject)?.[1] ?? c.subject;
  return { serial: c.serialNumber.toUpperCase(), cn, notAfter: new Date(c.validTo).toISOString() };
}

/**
 * Records the certificate in `file` (just issued, or found from before the record existed). A newly issued one
 * supersedes, and revokes, the earlier certificates written to the same file.
 */
export function recordIssued(ca: Ca, file: string, replacesEarlier: boolean): IssuedCert {
  const list = readIssued(ca);
  const d = describe(file);
  const known = list.find((c) => c.serial === d.serial);
  if (known?.file === file) return known;
  if (known) {
    known.file = file; // the folder moved (another ANDON_HOME)
    writeIssued(ca, list);
    return known;
  }
  const now = new Date().toISOString();
  if (replacesEarlier) for (const c of list) if (c.file === file && !c.revokedAt) Object.assign(c, { revokedAt: now, reason: "superseded" as const });
  const entry: IssuedCert = { ...d, file, recordedAt: now };
  list.push(entry);
  writeIssued(ca, list);
  return entry;
}

/**
 * Certificate mode: revokes the client certificates in `clientDir` whose CN is no longer an account and deletes
 * their files, so that an account that comes back gets a new certificate. Returns the revoked CNs.
 */
export function revokeRemovedClients(ca: Ca, clientDir: string, accounts: ReadonlySet<string>): string[] {
  if (!existsSync(clientDir)) return [];
  for (const name of readdirSync(clientDir)) if (name.endsWith(".crt")) recordIssued(ca, join(clientDir, name), false);
  const list = readIssued(ca);
  const now = new Date().toISOString();
  const revoked: IssuedCert[] = [];
  for (const c of list) {
    if (c.revokedAt || dirname(c.file) !== clientDir || accounts.has(c.cn)) continue;
    Object.assign(c, { revokedAt: now, reason: "cessationOfOperation" as const });
    revoked.push(c);
  }
  writeIssued(ca, list);
  for (const c of revoked) for (const f of [c.file, c.file.replace(/\.crt$/, ".key")]) rmSync(f, { force: true });
  return [...new Set(revoked.map((c) => c.cn))];
}

/** True when `file` holds a certificate the record says is revoked (it must be issued anew). */
export function isRevoked(ca: Ca, file: string): boolean {
  if (!existsSync(file)) return false;
  const serial = describe(file).serial;
  return readIssued(ca).some((c) => c.serial === serial && c.revokedAt !== undefined);
}

/** `YYYYMMDDHHMMSSZ`, the time format of OpenSSL's index file and `-crl_lastupdate`. */
const asn1Time = (d: Date) => `${d.toISOString().replace(/[-:T]/g, "").slice(0, 14)}Z`;

/**
 * Writes pki/ca.crl, signed by the CA: every revoked certificate that has not expired yet. Regenerated on every
 * run (`andon broker config`, `andon up`), so its nextUpdate moves forward each time.
 */
export function writeCrl(ca: Ca, days = CRL_DAYS, now = new Date()): Crl {
  const dir = dirname(ca.cert);
  const file = join(dir, "ca.crl");
  const onList = readIssued(ca).filter((c) => c.revokedAt && new Date(c.notAfter) > now);
  const tmp = join(dir, `.crl-${randomBytes(4).toString("hex")}`);
  mkdirSync(tmp, { mode: 0o700 });
  try {
    const index = onList.map((c) => {
      if (/[\t\n/]/.test(c.cn)) throw new Error(`cannot put the CN ${JSON.stringify(c.cn)} into OpenSSL's index file`);
      // OpenSSL reads the revocation date as UTCTime (two-digit year) only
      const revoked = `${asn1Time(new Date(c.revokedAt as string)).slice(2)},${c.reason}`;
      return ["R", asn1Time(new Date(c.notAfter)), revoked, c.serial, "unknown", `/CN=${c.cn}`].join("\t");
    });
    writeFileSync(join(tmp, "index.txt"), index.map((l) => `${l}\n`).join(""));
    // the CRL number grows with every list the CA signs
    const crlnumber = join(dir, "crlnumber");
    if (!existsSync(crlnumber)) writeFileSync(crlnumber, "01\n");
    const cnf = ["[ca]", "default_ca = andon", "[andon]", `database = ${join(tmp, "index.txt")}`, `crlnumber = ${crlnumber}`, "default_md = sha256", ""];
    writeFileSync(join(tmp, "ca.cnf"), cnf.join("\n"));
    const nextUpdate = new Date(now.getTime() + days * 86_400_000);
    execFileSync(
      "openssl",
      [
        "ca",
        "-config",
        join(tmp, "ca.cnf"),
        "-gencrl",
        "-cert",
        ca.cert,
        "-keyfile",
        ca.key,
        "-crl_lastupdate",
        asn1Time(new Date(now.getTime() - CRL_BACKDATE_MS)),
        "-crl_nextupdate",
        asn1Time(nextUpdate),
        "-out",
        join(tmp, "ca.crl"),
      ],
      { cwd: tmp, stdio: ["ignore", "ignore", "pipe"] },
    );
    renameSync(join(tmp, "ca.crl"), file);
    return { file, nextUpdate: new Date(Math.floor(nextUpdate.getTime() / 1000) * 1000), revoked: onList.length };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

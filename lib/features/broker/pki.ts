// A small certificate authority made with openssl: the CA, server certificates for the brokers and client
// certificates whose CN is a broker user name (X.509 client authentication). EC P-256 keys.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { dirname, join } from "node:path";
import { CERT_DAYS, recordIssued } from "./revocation.ts";

export interface Ca {
  cert: string;
  key: string;
}

const openssl = (args: string[], cwd: string) => execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/** The CA in `dir` (ca.crt, ca.key), created on first use and kept afterwards (every issued certificate depends on it). */
export function ensureCa(dir: string, name: string, days = 3650): Ca {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = { cert: join(dir, "ca.crt"), key: join(dir, "ca.key") };
  if (existsSync(ca.cert) && existsSync(ca.key)) return ca;
  openssl(
    [
      "req",
      "-x509",
      ...newKey,
      "-days",
      String(days),
      "-subj",
      `/CN=${name}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
      "-keyout",
      ca.key,
      "-out",
      ca.cert,
    ],
    dir,
  );
  chmodSync(ca.key, 0o600);
  return ca;
}

export interface IssueOptions {
  cn: string;
  cert: string;
  key: string;
  /** Server certificate: the host names and IP addresses clients connect to (subjectAltName). */
  hosts?: string[];
  days?: number;
}

/**
 * A certificate signed by the CA (server and client use, so a broker's certificate also serves its bridge), recorded
 * with its serial (lib/features/broker/revocation.ts); the certificate it replaces in the same file is revoked.
 */
export function issueCert(ca: Ca, o: IssueOptions): void {
  const dir = dirname(o.cert);
  mkdirSync(dir, { recursive: true });
  if (existsSync(o.cert)) recordIssued(ca, o.cert, false); // issued before the record existed: keep it, to revoke it
  const tmp = join(dir, `.issue-${randomBytes(4).toString("hex")}`);
  try {
    const san = (o.hosts ?? []).map((h) => (isIP(h) ? `IP:${h}` : `DNS:${h}`));
    writeFileSync(
      `${tmp}.ext`,
      [
        "basicConstraints=CA:FALSE",
        "keyUsage=critical,digitalSignature,keyEncipherment",
        `extendedKeyUsage=${san.length ? "serverAuth,clientAuth" : "clientAuth"}`,
        ...(san.length ? [`subjectAltName=${san.join(",")}`] : []),
        "",
      ].join("\n"),
    );
    openssl(["req", ...newKey, "-subj", `/CN=${o.cn}`, "-keyout", o.key, "-out", `${tmp}.csr`], dir);
    chmodSync(o.key, 0o600);
    openssl(
      [
        "x509",
        "-req",
        "-in",
        `${tmp}.csr`,
        "-CA",
        ca.cert,
        "-CAkey",
        ca.key,
        "-set_serial",
        `0x${randomBytes(16).toString("hex")}`,
        "-days",
        String(o.days ?? CERT_DAYS),
        "-extfile",
        `${tmp}.ext`,
        "-out",
        o.cert,
      ],
      dir,
    );
    recordIssued(ca, o.cert, true);
  } finally {
    rmSync(`${tmp}.ext`, { force: true });
    rmSync(`${tmp}.csr`, { force: true });
  }
}

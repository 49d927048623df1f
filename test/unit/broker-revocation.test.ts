// The generated CA's revocation (lib/features/broker/revocation.ts) checked with the openssl CLI: removed clients
// revoked and their files deleted, a replaced certificate revoked as superseded, the CRL signed by the CA, its
// validity (an expired list refuses everyone, so it must outlive the certificates) and what it leaves out.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ensureCa, issueCert } from "#lib/features/broker/pki.ts";
import { readIssued, revokeRemovedClients, writeCrl } from "#lib/features/broker/revocation.ts";

const dir = mkdtempSync(join(tmpdir(), "andon-revocation-"));
const ca = ensureCa(join(dir, "pki"), "test CA");
const clients = join(dir, "clients");
const client = (cn: string) => ({ cn, cert: join(clients, `${cn}.crt`), key: join(clients, `${cn}.key`) });
for (const cn of ["gw-a", "gw-b"]) issueCert(ca, client(cn));
const kept = join(dir, "gw-b.copy.crt");
copyFileSync(client("gw-b").cert, kept);

/** `openssl verify` with CRL checking: "OK" or OpenSSL's reason. */
function verify(cert: string, crl: string): string {
  const r = spawnSync("openssl", ["verify", "-crl_check", "-CAfile", ca.cert, "-CRLfile", crl, cert], { encoding: "utf8" });
  return r.status === 0 ? "OK" : (/error \d+ at \d+ depth lookup: (.*)/.exec(r.stdout + r.stderr)?.[1] ?? r.stderr);
}
const crlField = (crl: string, field: "lastupdate" | "nextupdate") =>
  new Date(spawnSync("openssl", ["crl", "-in", crl, "-noout", `-${field}`], { encoding: "utf8" }).stdout.split("=")[1] ?? "");

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("certificate revocation list", () => {
  it("revokes the certificates of removed accounts, deletes their files, and the CA-signed list refuses them", () => {
    const before = writeCrl(ca);
    expect(before.revoked).toBe(0);
    expect(verify(kept, before.file)).toBe("OK");

    expect(revokeRemovedClients(ca, clients, new Set(["gw-a"]))).toEqual(["gw-b"]);
    expect(existsSync(client("gw-b").cert) || existsSync(client("gw-b").key)).toBe(false);
    expect(readIssued(ca).find((c) => c.cn === "gw-b")?.reason).toBe("cessationOfOperation");
    expect(revokeRemovedClients(ca, clients, new Set(["gw-a"]))).toEqual([]); // once only

    const crl = writeCrl(ca);
    expect(crl.revoked).toBe(1);
    expect(spawnSync("openssl", ["crl", "-in", crl.file, "-CAfile", ca.cert, "-noout"], { encoding: "utf8" }).stderr).toMatch(/verify OK/);
    expect(verify(kept, crl.file)).toBe("certificate revoked");
    expect(verify(client("gw-a").cert, crl.file)).toBe("OK");
  });

  it("revokes the certificate that a new one in the same file replaces (superseded)", () => {
    const server = { cn: "broker", cert: join(dir, "central", "server.crt"), key: join(dir, "central", "server.key"), hosts: ["127.0.0.1"] };
    issueCert(ca, server);
    const old = join(dir, "server.old.crt");
    copyFileSync(server.cert, old);
    issueCert(ca, { ...server, hosts: ["127.0.0.1", "broker.example"] });
    const records = readIssued(ca).filter((c) => c.file === server.cert);
    expect(records.map((c) => c.reason)).toEqual(["superseded", undefined]);
    const crl = writeCrl(ca);
    expect(verify(old, crl.file)).toBe("certificate revoked");
    expect(verify(server.cert, crl.file)).toBe("OK");
  });

  it("outlives every certificate it may have to refuse, and an expired list refuses every certificate", () => {
    const crl = writeCrl(ca);
    for (const c of readIssued(ca)) expect(new Date(c.notAfter) <= crl.nextUpdate).toBe(true);
    expect(crlField(crl.file, "nextupdate").getTime()).toBe(crl.nextUpdate.getTime());
    // lastUpdate lies a day back, for hosts whose clock is behind
    expect(crlField(crl.file, "lastupdate").getTime()).toBeLessThan(Date.now() - 23 * 3600_000);

    const expired = writeCrl(ca, 1, new Date(Date.now() - 3 * 86_400_000));
    expect(verify(client("gw-a").cert, expired.file)).toBe("CRL has expired");
  });

  it("leaves out revoked certificates that have expired anyway", () => {
    const inThreeYears = new Date(Date.now() + 3 * 365 * 86_400_000);
    expect(writeCrl(ca, 30, inThreeYears).revoked).toBe(0);
    expect(writeCrl(ca).revoked).toBe(2);
  });
});

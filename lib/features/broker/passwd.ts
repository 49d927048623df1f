// Mosquitto password files: read the hash lines of an existing one, hash new passwords with mosquitto_passwd.
import { execFileSync } from "node:child_process";
import { pbkdf2Sync, randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** A new broker account's password (192 random bits, URL-safe base64). */
export const randomBrokerPassword = () => randomBytes(24).toString("base64url");

/** username -> hash line of an existing Mosquitto password file. */
export function readPasswd(path: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(path)) return out;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const i = line.indexOf(":");
    if (i > 0) out.set(line.slice(0, i), line);
  }
  return out;
}

/** Hashes `user:password` lines with `mosquitto_passwd -U` (no password on any command line). */
export function hashPasswords(dir: string, plain: [string, string][]): string[] {
  if (plain.length === 0) return [];
  const tmp = join(dir, `.passwd-${randomBytes(4).toString("hex")}`);
  writeFileSync(tmp, `${plain.map(([u, p]) => `${u}:${p}`).join("\n")}\n`, { mode: 0o600 });
  try {
    execFileSync("mosquitto_passwd", ["-U", tmp], { stdio: ["ignore", "ignore", "pipe"] });
    return readFileSync(tmp, "utf8").split("\n").filter(Boolean);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * One password file line as `mosquitto_passwd` writes it (Mosquitto 2: `$7$` = PBKDF2-HMAC-SHA512,
 * 101 iterations, a 12-byte salt, base64), made without the tool: the dashboard makes device
 * accounts on a host that may not have Mosquitto installed.
 */
export function passwdLine(username: string, password: string, iterations = 101): string {
  if (username.includes(":") || /\s/.test(username)) throw new Error(`a broker user name cannot contain ":" or spaces: ${username}`);
  const salt = randomBytes(12);
  const hash = pbkdf2Sync(password, salt, iterations, 64, "sha512");
  return `${username}:$7$${iterations}$${salt.toString("base64")}$${hash.toString("base64")}`;
}

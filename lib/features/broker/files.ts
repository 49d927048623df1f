// Small file helpers of the broker generator (./generate.ts).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

export function readJson<T>(path: string, fallback: T): T {
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as T) : fallback;
}

/** When run as root, Mosquitto drops to its own user: it must be able to read its folder and write its data. */
export function handToBrokerUser(dir: string): void {
  if (process.getuid?.() !== 0) return;
  try {
    execFileSync("id", ["mosquitto"], { stdio: "ignore" });
  } catch {
    return;
  }
  execFileSync("chown", ["-R", "mosquitto:mosquitto", dir]);
}

/** Writes a mosquitto.conf (0600); true when one with other content was there. */
export function writeConf(file: string, text: string): boolean {
  const changed = existsSync(file) && readFileSync(file, "utf8") !== text;
  writeFileSync(file, text, { mode: 0o600 });
  return changed;
}

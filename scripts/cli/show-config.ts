import { type Config, config } from "#lib/platform/config.ts";
import { CONFIG_DOCS } from "#lib/platform/config-docs.ts";

const SECRET = /PASSWORD|KEY_FILE|TOKEN|SECRET/;

export async function run(): Promise<void> {
  const cfg = config();
  for (const key of Object.keys(CONFIG_DOCS) as (keyof Config)[]) {
    const v = cfg[key];
    let shown = v === undefined ? "(unset)" : SECRET.test(key) ? "(set, hidden)" : String(v);
    if (typeof v === "string" && /^\w+:\/\/[^/]*:[^@/]*@/.test(v)) shown = v.replace(/:\/\/([^:/]*):[^@/]*@/, "://$1:***@");
    console.log(`${key.padEnd(30)} ${shown}`);
  }
}

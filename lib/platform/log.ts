// Structured logs (pino, JSON lines). Entry points create one logger and pass children down.
import pino, { type Logger } from "pino";

export function createLogger(name: string, level = "info"): Logger {
  return pino({
    name,
    level,
    base: { pid: process.pid },
    redact: { paths: ["password", "*.password", "url", "*.url"], censor: "[redacted]" },
  });
}

export type { Logger };

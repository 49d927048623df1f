// Shared shape of a process entry point: fail fast on bad config, stop gracefully on SIGTERM/SIGINT.
import { ConfigError } from "./config.ts";

export function onShutdown(stop: () => Promise<void>, log: { info: (o: object, m: string) => void }): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      // a second Ctrl-C: stop now
      process.exit(130);
    }
    stopping = true;
    log.info({ signal }, "shutting down");
    stop()
      .then(() => process.exit(0))
      .catch(() => process.exit(1));
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
}

/** Runs an entry point; a configuration error is printed without a stack and exits 2. */
export function runMain(main: () => Promise<void>): void {
  main().catch((e: unknown) => {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    console.error(e);
    process.exit(1);
  });
}

// Starts a generated broker (lib/features/broker/generate.ts) as a child process and waits for its listener.
import { join } from "node:path";
import { tcpOpen, waitFor } from "#lib/features/stack/net.ts";
import { type Managed, spawnManaged } from "#lib/features/stack/process.ts";
import type { BrokerFiles } from "./generate.ts";

export async function startBroker(b: BrokerFiles, name = b.id === "central" ? "mosquitto-central" : `mosquitto-${b.id.replace("/", ".")}`): Promise<Managed> {
  const proc = spawnManaged(name, "mosquitto", ["-c", b.conf], { logFile: join(b.dir, "mosquitto.out") });
  let exited = false;
  proc.child.once("exit", () => {
    exited = true;
  });
  await waitFor(
    `Mosquitto ${b.id}`,
    async () => {
      if (exited) throw new Error(`Mosquitto ${b.id} exited at start: see ${join(b.dir, "mosquitto.out")} and mosquitto.log`);
      return tcpOpen("127.0.0.1", b.port);
    },
    15_000,
  );
  return proc;
}

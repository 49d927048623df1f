// freePort (lib/features/stack/net.ts): the ports a test or a stack draws one after another for one
// configuration are all different. The kernel hands a released port out again soon (ports.test once got
// the same port for MQTT_URL and QUESTDB_PG_URL: "are the same port"), so freePort remembers what it gave.
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { freePort } from "#lib/features/stack/net.ts";

describe("freePort", () => {
  it("never hands out the same port twice in a process, none from the ephemeral range, each free to listen on", async () => {
    const ports: number[] = [];
    for (let i = 0; i < 1000; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
    // below the kernel's ephemeral range, where outgoing connections take their local ports
    expect(ports.every((p) => p >= 10_000 && p < 32_000)).toBe(true);
    // the last one is free: something can listen there
    const s = createServer();
    await new Promise<void>((resolve, reject) => {
      s.once("error", reject);
      s.listen(ports.at(-1), "127.0.0.1", resolve);
    });
    await new Promise((r) => s.close(r));
  });
});

// andon demo reset [--yes]: the demo plant starts over — its data is deleted and the stack starts as on
// a first start, filling a fresh week of history (lib/features/sim/demo-reset.ts).
import { parseArgs } from "node:util";
import { RESET_WHAT } from "#lib/features/sim/demo-reset.ts";
import { config } from "#lib/platform/config.ts";

const usage = (m: string) => Object.assign(new Error(m), { name: "UsageError" });

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: { yes: { type: "boolean" } }, allowPositionals: true });
  if (positionals[0] !== "reset" || positionals.length > 1) throw usage("usage: andon demo reset [--yes]");
  if (config().ANDON_TOPOLOGY !== "single") throw usage("the demo history is filled in the single-broker topology only (ANDON_TOPOLOGY=single)");
  if (!values.yes) {
    throw usage(
      `this deletes ${RESET_WHAT}\nThen it starts the stack, which fills a fresh week of history. Stop a running stack first (Ctrl-C), then run: andon demo reset --yes`,
    );
  }
  // a running stack holds the ports: `up` stops at once, naming the setting, before anything is deleted
  await (await import("./up.ts")).run([], { resetDemo: true });
}

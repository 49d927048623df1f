import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { reasonEditsByPath } from "#lib/adapters/db/oee-reasons.ts";
import { loadMachines } from "#lib/adapters/db/plant.ts";
import { questPool } from "#lib/adapters/questdb/pg.ts";
import { parseMachineKey } from "#lib/contract/identity.ts";
import { LossMappingSchema, OeeInputError, parseOeeInput } from "#lib/contract/oee-input.ts";
import { computeOee } from "#lib/domain/oee/compute.ts";
import { DEFAULT_MAPPING } from "#lib/domain/oee/mapping.ts";
import type { LossMapping } from "#lib/domain/oee/types.ts";
import { exportMachineEvents } from "#lib/features/oee/export.ts";
import { config } from "#lib/platform/config.ts";

const usage = (m: string) => Object.assign(new Error(m), { name: "UsageError" });
const USAGE =
  "usage: andon oee compute --input FILE [--config MAPPING.json]\n       andon oee export --machine ENTERPRISE/SITE/AREA/LINE/MACHINE --from TIME --to TIME";

/** Writes the raw events of one machine and window as `andon oee compute` input, to check a number the dashboard shows. */
async function exportEvents(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { machine: { type: "string" }, from: { type: "string" }, to: { type: "string" } } });
  const key = parseMachineKey(values.machine ?? "");
  if (!key.ok) throw usage(`--machine must be ENTERPRISE/SITE/AREA/LINE/MACHINE\n${USAGE}`);
  const time = (v: string | undefined, name: string) => {
    const ms = v === undefined ? Number.NaN : /^\d+$/.test(v) ? Number(v) : Date.parse(v);
    if (!Number.isFinite(ms)) throw usage(`--${name} must be an ISO 8601 time or epoch milliseconds\n${USAGE}`);
    return ms;
  };
  const from = time(values.from, "from");
  const to = time(values.to, "to");
  if (to <= from) throw usage("--to must be after --from");
  const cfg = config();
  const prisma = prismaFor(cfg.DATABASE_URL);
  const pool = questPool(cfg.QUESTDB_PG_URL, cfg.QUESTDB_PG_PASSWORD);
  try {
    const m = (await loadMachines(prisma)).find((x) => x.key === key.key);
    if (!m) throw usage(`no machine ${values.machine} in the asset model`);
    for (const l of await exportMachineEvents({ pool, machine: m, window: { start: from, end: to }, reasonEdits: (r) => reasonEditsByPath(prisma, r) })) {
      process.stdout.write(`${l}\n`);
    }
  } finally {
    await pool.end();
    await prisma.$disconnect();
  }
}

export async function run(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === "export") return exportEvents(rest);
  if (sub !== "compute") throw usage(USAGE);
  const { values } = parseArgs({ args: rest, options: { input: { type: "string" }, config: { type: "string" } } });
  if (!values.input) throw usage("--input FILE is required (JSON lines, see docs/oee.md)");
  let mapping: LossMapping | undefined;
  if (values.config) {
    const r = LossMappingSchema.safeParse(JSON.parse(readFileSync(values.config, "utf8")));
    if (!r.success) throw usage(`--config ${values.config}: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    mapping = r.data;
  }
  try {
    const input = parseOeeInput(readFileSync(values.input === "-" ? 0 : values.input, "utf8"), DEFAULT_MAPPING, mapping);
    console.log(JSON.stringify(computeOee(input), null, 2));
  } catch (e) {
    if (e instanceof OeeInputError) throw usage(`${values.input}: ${e.message}`);
    throw e;
  }
}

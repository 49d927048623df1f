import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { LossMappingSchema, OeeInputError, parseOeeInput } from "../../lib/contract/oee-input.ts";
import { computeOee } from "../../lib/domain/oee/compute.ts";
import { DEFAULT_MAPPING } from "../../lib/domain/oee/mapping.ts";

const usage = (m: string) => Object.assign(new Error(m), { name: "UsageError" });

export async function run(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== "compute") throw usage("usage: andon oee compute --input FILE [--config MAPPING.json]");
  const { values } = parseArgs({ args: rest, options: { input: { type: "string" }, config: { type: "string" } } });
  if (!values.input) throw usage("--input FILE is required (JSON lines, see docs/oee.md)");
  let mapping = DEFAULT_MAPPING;
  if (values.config) {
    const r = LossMappingSchema.safeParse(JSON.parse(readFileSync(values.config, "utf8")));
    if (!r.success) throw usage(`--config ${values.config}: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    mapping = r.data;
  }
  try {
    const input = parseOeeInput(readFileSync(values.input === "-" ? 0 : values.input, "utf8"), mapping);
    console.log(JSON.stringify(computeOee(input), null, 2));
  } catch (e) {
    if (e instanceof OeeInputError) throw usage(`${values.input}: ${e.message}`);
    throw e;
  }
}

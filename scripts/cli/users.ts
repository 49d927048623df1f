// andon users add / andon tokens create: accounts and API tokens, with generated secrets shown once.
import { parseArgs } from "node:util";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { parseSiteKey } from "#lib/contract/identity.ts";
import { ROLES, type Role, TOKEN_DAYS } from "#lib/domain/auth/policy.ts";
import { createApiToken, createUser, tokenExpiry } from "#lib/features/auth/sessions.ts";
import { config } from "#lib/platform/config.ts";

const usage = (m: string) => Object.assign(new Error(m), { name: "UsageError" });
const USAGE = `usage: andon users add --username U --role ${ROLES.join("|")} [--sites ENTERPRISE/SITE,...] [--name "Full Name"]
       andon tokens create --name N --role ${ROLES.join("|")} [--sites ENTERPRISE/SITE,...] [--scope read-only|read-write] [--days ${TOKEN_DAYS.min}-${TOKEN_DAYS.max}]`;

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      username: { type: "string" },
      role: { type: "string" },
      sites: { type: "string" },
      name: { type: "string" },
      scope: { type: "string", default: "read-only" },
      days: { type: "string", default: String(TOKEN_DAYS.default) },
    },
  });
  const role = values.role?.toUpperCase().replace("-", "_");
  if (!role || !(ROLES as readonly string[]).includes(role)) throw usage(`--role must be one of ${ROLES.join(", ")}\n${USAGE}`);
  const sites = (values.sites ?? "").split(",").filter(Boolean);
  for (const s of sites) if (!parseSiteKey(s)) throw usage(`--sites: "${s}" is not ENTERPRISE/SITE`);
  if (role !== "ADMIN" && sites.length === 0) throw usage(`--sites is required for ${role} (the sites this account may see)`);
  return { ...values, role: role as Role, sites };
}

export async function run(argv: string[], kind: "users" | "tokens" = "users"): Promise<void> {
  const [sub, ...rest] = argv;
  const prisma = prismaFor(config().DATABASE_URL);
  try {
    if (kind === "users" && sub === "add") {
      const v = parse(rest);
      if (!v.username || !/^[a-z0-9._-]{2,64}$/.test(v.username)) throw usage(`--username must be 2-64 of a-z 0-9 . _ -\n${USAGE}`);
      const password = await createUser(prisma, { username: v.username, displayName: v.name ?? v.username, role: v.role, sites: v.sites });
      console.log(`created ${v.role} ${v.username}; password (shown only now): ${password}`);
      return;
    }
    if (kind === "tokens" && sub === "create") {
      const v = parse(rest);
      if (!v.name || !/^[a-z0-9._-]{2,64}$/.test(v.name)) throw usage(`--name must be 2-64 of a-z 0-9 . _ -\n${USAGE}`);
      if (v.scope !== "read-only" && v.scope !== "read-write") throw usage(`--scope must be read-only or read-write\n${USAGE}`);
      const days = Number(v.days);
      if (!Number.isInteger(days) || days < TOKEN_DAYS.min || days > TOKEN_DAYS.max)
        throw usage(`--days must be a whole number from ${TOKEN_DAYS.min} to ${TOKEN_DAYS.max}\n${USAGE}`);
      const scope = v.scope === "read-write" ? "READ_WRITE" : "READ_ONLY";
      const expiresAt = tokenExpiry(days);
      const token = await createApiToken(prisma, { name: v.name, role: v.role, sites: v.sites, createdBy: process.env.USER ?? "cli", scope, expiresAt });
      console.log(
        `created API token ${v.name} (${v.role}, ${v.scope}, expires ${expiresAt.toISOString()}); send it as "Authorization: Bearer <token>" (shown only now):\n${token}`,
      );
      return;
    }
    throw usage(USAGE);
  } finally {
    await prisma.$disconnect();
  }
}

import { addToken, listTokens } from "#lib/features/auth/admin.ts";
import { route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { db } from "#lib/features/dashboard/context.ts";
import { allSites } from "#lib/features/dashboard/site-list.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.tokens, async () => ({ tokens: await listTokens(db()) }));

export const POST = route(catalog.createToken, async ({ principal, origin, body }) => {
  const token = await addToken(
    db(),
    principal,
    origin,
    body,
    (await allSites()).map((s) => s.key),
  );
  return { name: body.name, token: token.token, expiresAt: token.expiresAt };
});

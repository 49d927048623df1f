import { addToken, listTokens } from "../../../../../lib/auth/admin.ts";
import { route } from "../../../../../lib/web/api.ts";
import { catalog } from "../../../../../lib/web/catalog.ts";
import { db } from "../../../../../lib/web/context.ts";
import { allSites } from "../../../../../lib/web/site-list.ts";

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

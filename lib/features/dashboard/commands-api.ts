// The command types as the API describes them.
import { z } from "zod";
import { COMMAND_TYPE_NAMES, COMMAND_TYPES, EXPIRY_S } from "#lib/contract/commands.ts";
import { maySendAny, type Principal } from "#lib/domain/auth/policy.ts";

export function commandTypes(p: Principal) {
  return {
    types: COMMAND_TYPE_NAMES.map((type) => {
      const t = COMMAND_TYPES[type];
      return {
        type,
        title: t.title,
        hazardous: t.hazardous,
        roles: [...t.roles],
        maySend: maySendAny(p, t.roles),
        params: z.toJSONSchema(t.params, { io: "input" }) as Record<string, unknown>,
        completeWithinS: t.completeWithinS,
      };
    }),
    expiryS: { ...EXPIRY_S },
  };
}

import { type MachineKey, pathOf } from "#lib/contract/identity.ts";
import { route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { plantViewKey, reasonDeps } from "#lib/features/dashboard/context.ts";
import { forgetShared } from "#lib/features/dashboard/shared-read.ts";
import { assignReason } from "#lib/features/oee/reasons.ts";

export const dynamic = "force-dynamic";

export const POST = route(catalog.assignReason, async ({ principal, body, origin }) => {
  // checked by the catalog (five levels)
  const machine = pathOf(body.machine as MachineKey);
  const id = await assignReason(
    await reasonDeps(),
    { name: principal.name, ...(origin ? { origin } : {}), sites: principal.sites },
    { machine, start: body.start, end: body.end, reason: body.reason, ...(body.note ? { note: body.note } : {}) },
  );
  // the plant page shows the new reason at once (its OEE follows when the recompute is done)
  forgetShared(plantViewKey(machine.enterprise, machine.site));
  return { id };
});

import { type MachineKey, pathOf } from "#lib/contract/identity.ts";
import { route } from "#lib/features/dashboard/api.ts";
import { catalog } from "#lib/features/dashboard/catalog.ts";
import { plantViewKey, reasonDeps } from "#lib/features/dashboard/context.ts";
import { forgetShared } from "#lib/features/dashboard/shared-read.ts";
import { splitStop } from "#lib/features/oee/reasons.ts";

export const dynamic = "force-dynamic";

export const POST = route(catalog.splitStop, async ({ principal, body, origin }) => {
  // checked by the catalog (five levels)
  const machine = pathOf(body.machine as MachineKey);
  const ids = await splitStop(
    await reasonDeps(),
    { name: principal.name, ...(origin ? { origin } : {}), sites: principal.sites },
    {
      machine,
      start: body.start,
      end: body.end,
      at: body.at,
      reasons: body.reasons,
      ...(body.note ? { note: body.note } : {}),
    },
  );
  // the plant page shows the new reason at once (its OEE follows when the recompute is done)
  forgetShared(plantViewKey(machine.enterprise, machine.site));
  return { ids };
});

import { assignReason, ReasonEditError } from "../../../../lib/oee/reasons.ts";
import { enqueueRecompute } from "../../../../lib/queues/oee.ts";
import { ApiError, route } from "../../../../lib/web/api.ts";
import { catalog } from "../../../../lib/web/catalog.ts";
import { db, machines, oeeJobs, quest } from "../../../../lib/web/context.ts";

export const dynamic = "force-dynamic";

export const POST = route(catalog.assignReason, async ({ principal, body, origin }) => {
  const [enterprise, site, area, line, machine] = body.machine.split("/") as [string, string, string, string, string];
  try {
    const id = await assignReason(
      {
        prisma: db(),
        pool: quest(),
        machines: await machines(),
        recompute: async (ranges, why) => void (await enqueueRecompute(oeeJobs(), ranges, why)),
      },
      { name: principal.name, ...(origin ? { origin } : {}), sites: principal.sites },
      { machine: { enterprise, site, area, line, machine }, start: body.start, end: body.end, reason: body.reason, ...(body.note ? { note: body.note } : {}) },
    );
    return { id };
  } catch (e) {
    if (e instanceof ReasonEditError) throw new ApiError(e.code, e.message);
    throw e;
  }
});

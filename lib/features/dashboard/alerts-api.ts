// Alerts as the API returns them (ISO dates).

import type { Alert } from "#lib/adapters/db/read-alerts.ts";
import type { Principal } from "#lib/domain/auth/policy.ts";
import type { AlertDeps } from "#lib/features/pdm/alerts.ts";
import { db, publishAlert } from "./context.ts";

export const alertDeps = (): AlertDeps => ({ prisma: db(), publish: publishAlert });
export const actorOf = (p: Principal, origin?: string) => ({ name: p.name, sites: p.sites, ...(origin ? { origin } : {}) });

export function alertJson(a: Alert) {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  const { machineId: _m, updatedAt: _u, ...rest } = a;
  return {
    ...rest,
    onsetAt: a.onsetAt.toISOString(),
    lastSeenAt: a.lastSeenAt.toISOString(),
    acknowledgedAt: iso(a.acknowledgedAt),
    resolvedAt: iso(a.resolvedAt),
    clearedAt: iso(a.clearedAt),
  };
}

import type { Metadata } from "next";
import type { ReactNode } from "react";
import { openAlertCount } from "#lib/adapters/db/alerts.ts";
import { type SiteKey, sitePathOf } from "#lib/contract/identity.ts";
import { can } from "#lib/domain/auth/policy.ts";
import { db } from "#lib/features/dashboard/context.ts";
import { currentPrincipal } from "#lib/features/dashboard/page-auth.ts";
import { SignOut } from "./components/sign-out.tsx";
import "./globals.css";

export const metadata: Metadata = {
  title: "Andon",
  description: "OEE and predictive maintenance over MQTT",
};

const ROLE_NAMES = { ADMIN: "Administrator", CORPORATE: "Corporate", PLANT_MANAGER: "Plant manager", MAINTENANCE: "Maintenance" } as const;

export default async function RootLayout({ children }: { children: ReactNode }) {
  const p = await currentPrincipal();
  // the badge: open alerts of the user's sites (read on every page load; the inbox itself updates live)
  const openAlerts = p ? await openAlertCount(db(), p.sites).catch(() => 0) : 0;
  return (
    <html lang="en">
      <body>
        <header className="topbar">
          <span className="brand">Andon</span>
          {p ? (
            <nav>
              <a href="/">Sites</a>
              {can(p, "alerts:read") ? (
                <a href="/alerts">
                  Alerts
                  {openAlerts ? (
                    <span className="badge" data-testid="alerts-badge">
                      {openAlerts}
                    </span>
                  ) : null}
                </a>
              ) : null}
              {can(p, "ingest:read") ? <a href="/ingest">Live ingest</a> : null}
              {can(p, "admin") ? <a href="/admin/users">Users</a> : null}
              {can(p, "admin") ? <a href="/admin/assets">Assets</a> : null}
              {can(p, "admin") ? <a href="/admin/connect">Connect a machine</a> : null}
              {can(p, "admin") ? <a href="/admin/loss-mappings">Loss mappings</a> : null}
              {can(p, "admin") ? <a href="/admin/sparkplug">Sparkplug</a> : null}
              {can(p, "admin") ? <a href="/admin/tokens">API tokens</a> : null}
              {can(p, "admin") ? <a href="/admin/audit">Audit log</a> : null}
            </nav>
          ) : null}
          {p ? (
            <span className="who" data-testid="who">
              {p.displayName} · {ROLE_NAMES[p.role]}
              {p.sites === "all" ? "" : ` · ${p.sites.map((s) => sitePathOf(s as SiteKey).site).join(", ")}`} <SignOut />
            </span>
          ) : null}
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}

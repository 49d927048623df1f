"use client";

// API tokens for MES, ERP and BI: create (the token is shown once) with a scope and an expiry, revoke.
import { useState } from "react";
import type { listTokens } from "#lib/features/auth/admin.ts";
import { Field, FieldError, FormError, useAdminForm } from "./admin-form.tsx";
import { postJson } from "./admin-post.ts";

type Token = Awaited<ReturnType<typeof listTokens>>[number];

export function TokensAdmin({ initial, sites }: { initial: Token[]; sites: { key: string; name: string }[] }) {
  const [tokens, setTokens] = useState(initial);
  // the new token's fields; a revoke goes through it too, so that one message says what was refused
  const f = useAdminForm({ name: "", role: "CORPORATE", sites: [] as string[], scope: "READ_ONLY" as Token["scope"], expiresInDays: 90 });
  const { name, role, sites: chosen, scope, expiresInDays: days } = f.values;
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const reload = async () => {
    const res = await fetch("/api/v1/admin/tokens", { cache: "no-store" });
    if (res.ok) setTokens(((await res.json()) as { tokens: Token[] }).tokens);
  };
  return (
    <>
      <div className="card">
        <h2>New token</h2>
        <form
          className="command-form"
          onSubmit={(e) => {
            e.preventDefault();
            void f.submit(
              () => postJson<{ name?: string; token?: string }>("/api/v1/admin/tokens", { name, role, sites: chosen, scope, expiresInDays: days }),
              async (r) => {
                if (!r.token) return;
                setCreated({ name: r.name ?? name, token: r.token });
                f.set({ name: "" });
                await reload();
              },
              { reset: false },
            );
          }}
        >
          <Field label="Name" name="name" errors={f.errors}>
            <input value={name} onChange={(e) => f.set({ name: e.target.value })} aria-label="Token name" placeholder="mes-dresden" />
          </Field>
          <Field label="Role" name="role" errors={f.errors}>
            <select value={role} onChange={(e) => f.set({ role: e.target.value })} aria-label="Token role">
              <option value="CORPORATE">corporate (read)</option>
              <option value="PLANT_MANAGER">plant manager</option>
              <option value="MAINTENANCE">maintenance</option>
              <option value="ADMIN">admin</option>
            </select>
          </Field>
          <Field label="Scope" name="scope" errors={f.errors}>
            <select value={scope} onChange={(e) => f.set({ scope: e.target.value as Token["scope"] })} aria-label="Token scope">
              <option value="READ_ONLY">read only</option>
              <option value="READ_WRITE">read and act (commands, reasons, alerts as its role allows)</option>
            </select>
          </Field>
          <Field label="Expires in (days)" name="expiresInDays" errors={f.errors}>
            <input
              type="number"
              min={1}
              max={730}
              value={days}
              onChange={(e) => f.set({ expiresInDays: Number(e.target.value) })}
              aria-label="Token expires in days"
            />
          </Field>
          <fieldset className="sites-pick">
            <legend>Sites</legend>
            {sites.map((s) => (
              <label key={s.key} className="check">
                <input
                  type="checkbox"
                  checked={chosen.includes(s.key)}
                  onChange={(e) => f.set({ sites: e.target.checked ? [...chosen, s.key] : chosen.filter((x) => x !== s.key) })}
                />
                {s.name}
              </label>
            ))}
            <FieldError errors={f.errors} name="sites" />
          </fieldset>
          <button type="submit" className="button">
            Create token
          </button>
        </form>
        <FormError message={f.message} />
        {created ? (
          <div className="notice" data-testid="new-token">
            Token <b>{created.name}</b>: <code>{created.token}</code> — copy it now, it is not shown again. Send it as <code>Authorization: Bearer …</code>.
          </div>
        ) : null}
      </div>
      <div className="card">
        <table className="reasons">
          <thead>
            <tr>
              <th>name</th>
              <th>role</th>
              <th>sites</th>
              <th>scope</th>
              <th>expires</th>
              <th>created</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.name} data-testid={`token-${t.name}`}>
                <td>{t.name}</td>
                <td>{t.role.toLowerCase().replace("_", " ")}</td>
                <td>{t.role === "ADMIN" ? "all" : t.sites.join(", ")}</td>
                <td>{t.scope === "READ_WRITE" ? "read and act" : "read only"}</td>
                <td>
                  {t.expiresAt ? `${t.expiresAt.slice(0, 16).replace("T", " ")} UTC${Date.parse(t.expiresAt) <= Date.now() ? " (expired)" : ""}` : "never"}
                </td>
                <td>
                  {t.createdAt.slice(0, 16).replace("T", " ")} UTC by {t.createdBy}
                </td>
                <td>
                  {t.revokedAt ? (
                    <span className="muted">revoked {t.revokedAt.slice(0, 10)}</span>
                  ) : (
                    <button
                      type="button"
                      className="link-button"
                      onClick={() => f.submit(() => postJson(`/api/v1/admin/tokens/${t.name}/revoke`, {}), reload, { reset: false })}
                    >
                      revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

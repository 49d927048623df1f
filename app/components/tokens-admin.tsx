"use client";

// API tokens for MES, ERP and BI: create (the token is shown once) with a scope and an expiry, revoke.
import { useState } from "react";
import type { listTokens } from "#lib/features/auth/admin.ts";
import { postJson } from "./admin-post.ts";

type Token = Awaited<ReturnType<typeof listTokens>>[number];

export function TokensAdmin({ initial, sites }: { initial: Token[]; sites: { key: string; name: string }[] }) {
  const [tokens, setTokens] = useState(initial);
  const [name, setName] = useState("");
  const [role, setRole] = useState("CORPORATE");
  const [chosen, setChosen] = useState<string[]>([]);
  const [scope, setScope] = useState<Token["scope"]>("READ_ONLY");
  const [days, setDays] = useState(90);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const reload = async () => {
    const res = await fetch("/api/v1/admin/tokens", { cache: "no-store" });
    if (res.ok) setTokens(((await res.json()) as { tokens: Token[] }).tokens);
  };
  const send = async (url: string, body?: unknown) => {
    const r = await postJson<{ name?: string; token?: string }>(url, body ?? {});
    if (!r.ok) {
      setError(r.message);
      return null;
    }
    setError(null);
    return r.data;
  };
  return (
    <>
      <div className="card">
        <h2>New token</h2>
        <form
          className="command-form"
          onSubmit={async (e) => {
            e.preventDefault();
            const r = await send("/api/v1/admin/tokens", { name, role, sites: chosen, scope, expiresInDays: days });
            if (r?.token) {
              setCreated({ name: r.name ?? name, token: r.token });
              setName("");
              await reload();
            }
          }}
        >
          <label>
            Name
            <input value={name} onChange={(e) => setName(e.target.value)} aria-label="Token name" placeholder="mes-dresden" />
          </label>
          <label>
            Role
            <select value={role} onChange={(e) => setRole(e.target.value)} aria-label="Token role">
              <option value="CORPORATE">corporate (read)</option>
              <option value="PLANT_MANAGER">plant manager</option>
              <option value="MAINTENANCE">maintenance</option>
              <option value="ADMIN">admin</option>
            </select>
          </label>
          <label>
            Scope
            <select value={scope} onChange={(e) => setScope(e.target.value as Token["scope"])} aria-label="Token scope">
              <option value="READ_ONLY">read only</option>
              <option value="READ_WRITE">read and act (commands, reasons, alerts as its role allows)</option>
            </select>
          </label>
          <label>
            Expires in (days)
            <input type="number" min={1} max={730} value={days} onChange={(e) => setDays(Number(e.target.value))} aria-label="Token expires in days" />
          </label>
          <fieldset className="sites-pick">
            <legend>Sites</legend>
            {sites.map((s) => (
              <label key={s.key} className="check">
                <input
                  type="checkbox"
                  checked={chosen.includes(s.key)}
                  onChange={(e) => setChosen(e.target.checked ? [...chosen, s.key] : chosen.filter((x) => x !== s.key))}
                />
                {s.name}
              </label>
            ))}
          </fieldset>
          <button type="submit" className="button">
            Create token
          </button>
        </form>
        {error ? (
          <div className="form-error" role="alert">
            {error}
          </div>
        ) : null}
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
                      onClick={async () => {
                        if (await send(`/api/v1/admin/tokens/${t.name}/revoke`)) await reload();
                      }}
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

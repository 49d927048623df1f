"use client";

import { useState } from "react";
import type { UserRow } from "#lib/features/auth/admin.ts";
import { postJson } from "./admin-post.ts";

const ROLES = [
  ["PLANT_MANAGER", "Plant manager"],
  ["MAINTENANCE", "Maintenance"],
  ["CORPORATE", "Corporate"],
  ["ADMIN", "Administrator (every site)"],
] as const;

export function UsersAdmin({ initial, sites, me }: { initial: UserRow[]; sites: { key: string; name: string }[]; me: string }) {
  const [users, setUsers] = useState(initial);
  const [secret, setSecret] = useState<{ username: string; password: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [role, setRole] = useState<string>("PLANT_MANAGER");

  const reload = async () => {
    const res = await fetch("/api/v1/admin/users", { cache: "no-store" });
    if (res.ok) setUsers(((await res.json()) as { users: UserRow[] }).users);
  };
  const call = async (url: string, body?: unknown) => {
    setError(null);
    const r = await postJson<{ username?: string; password?: string }>(url, body ?? {});
    if (!r.ok) {
      setError(r.message);
      return null;
    }
    await reload();
    return r.data;
  };

  async function create(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const out = await call("/api/v1/admin/users", {
      username: String(f.get("username") ?? "").trim(),
      displayName: String(f.get("displayName") ?? "").trim(),
      role,
      sites: role === "ADMIN" ? [] : f.getAll("sites").map(String),
    });
    if (out?.password && out.username) {
      setSecret({ username: out.username, password: out.password });
      (e.target as HTMLFormElement).reset();
    }
  }

  return (
    <>
      {secret ? (
        <div className="banner ok" role="status" data-testid="new-password">
          Password for <b>{secret.username}</b>: <code>{secret.password}</code> — give it to them now; it is not shown again.{" "}
          <button type="button" className="link-button" onClick={() => setSecret(null)}>
            Done
          </button>
        </div>
      ) : null}
      {error ? (
        <div className="form-error" role="alert">
          {error}
        </div>
      ) : null}
      <div className="card">
        <table className="reasons" data-testid="users">
          <thead>
            <tr>
              <th>User</th>
              <th>Name</th>
              <th>Role</th>
              <th>Sites</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.username} className={u.disabled ? "muted" : ""}>
                <td>{u.username}</td>
                <td>{u.displayName}</td>
                <td>{ROLES.find((r) => r[0] === u.role)?.[1] ?? u.role}</td>
                <td>{u.role === "ADMIN" ? "all" : u.sites.map((s) => s.split("/")[1]).join(", ")}</td>
                <td className="num">
                  {u.disabled ? "disabled " : null}
                  <button
                    type="button"
                    className="link-button"
                    onClick={async () => {
                      const out = await call(`/api/v1/admin/users/${u.username}/password`);
                      if (out?.password) setSecret({ username: u.username, password: out.password });
                    }}
                  >
                    New password
                  </button>
                  {u.username !== me && !u.disabled ? (
                    <button type="button" className="link-button" onClick={() => call(`/api/v1/admin/users/${u.username}/disable`)}>
                      Disable
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form className="card dialog-inline" onSubmit={create} aria-label="New user">
        <h2>New user</h2>
        <label>
          User name
          <input name="username" required pattern="[a-z0-9._\-]{2,64}" title="2-64 of a-z 0-9 . _ -" />
        </label>
        <label>
          Full name
          <input name="displayName" required maxLength={100} />
        </label>
        <label>
          Role
          <select name="role" value={role} onChange={(e) => setRole(e.target.value)}>
            {ROLES.map(([v, n]) => (
              <option key={v} value={v}>
                {n}
              </option>
            ))}
          </select>
        </label>
        {role !== "ADMIN" ? (
          <fieldset>
            <legend>Sites</legend>
            {sites.map((s) => (
              <label key={s.key} className="check">
                <input type="checkbox" name="sites" value={s.key} /> {s.name}
              </label>
            ))}
          </fieldset>
        ) : null}
        <button type="submit" className="button">
          Create user
        </button>
      </form>
    </>
  );
}

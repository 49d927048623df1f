"use client";

// Users for admins: create one (its password is shown once), give a new password, disable.
import { useState } from "react";
import type { UserRow } from "#lib/features/auth/admin.ts";
import { Field, FieldError, FormError, useAdminForm } from "./admin-form.tsx";
import { postJson } from "./admin-post.ts";

const ROLES = [
  ["PLANT_MANAGER", "Plant manager"],
  ["MAINTENANCE", "Maintenance"],
  ["CORPORATE", "Corporate"],
  ["ADMIN", "Administrator (every site)"],
] as const;

type Answer = { username?: string; password?: string };

export function UsersAdmin({ initial, sites, me }: { initial: UserRow[]; sites: { key: string; name: string }[]; me: string }) {
  const [users, setUsers] = useState(initial);
  const [secret, setSecret] = useState<{ username: string; password: string } | null>(null);
  // the new user's fields; the row actions go through it too, so that one message says what was refused
  const f = useAdminForm({ username: "", displayName: "", role: "PLANT_MANAGER", sites: [] as string[] });
  const { role } = f.values;

  const reload = async () => {
    const res = await fetch("/api/v1/admin/users", { cache: "no-store" });
    if (res.ok) setUsers(((await res.json()) as { users: UserRow[] }).users);
  };
  /** A row action; a new password is shown once. */
  const act = (url: string, user: string) =>
    f.submit(
      () => postJson<Answer>(url, {}),
      async (out) => {
        await reload();
        if (out.password) setSecret({ username: user, password: out.password });
      },
      { reset: false },
    );

  function create(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const v = f.values;
    const body = { username: v.username.trim(), displayName: v.displayName.trim(), role, sites: role === "ADMIN" ? [] : v.sites };
    void f.submit(
      () => postJson<Answer>("/api/v1/admin/users", body),
      async (out) => {
        await reload();
        if (out.password && out.username) setSecret({ username: out.username, password: out.password });
      },
    );
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
      <FormError message={f.message} />
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
                  <button type="button" className="link-button" onClick={() => act(`/api/v1/admin/users/${u.username}/password`, u.username)}>
                    New password
                  </button>
                  {u.username !== me && !u.disabled ? (
                    <button type="button" className="link-button" onClick={() => act(`/api/v1/admin/users/${u.username}/disable`, u.username)}>
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
        <Field label="User name" name="username" errors={f.errors}>
          <input
            name="username"
            required
            pattern="[a-z0-9._\-]{2,64}"
            title="2-64 of a-z 0-9 . _ -"
            value={f.values.username}
            onChange={(e) => f.set({ username: e.target.value })}
          />
        </Field>
        <Field label="Full name" name="displayName" errors={f.errors}>
          <input name="displayName" required maxLength={100} value={f.values.displayName} onChange={(e) => f.set({ displayName: e.target.value })} />
        </Field>
        <Field label="Role" name="role" errors={f.errors}>
          <select name="role" value={role} onChange={(e) => f.set({ role: e.target.value })}>
            {ROLES.map(([v, n]) => (
              <option key={v} value={v}>
                {n}
              </option>
            ))}
          </select>
        </Field>
        {role !== "ADMIN" ? (
          <fieldset>
            <legend>Sites</legend>
            {sites.map((s) => (
              <label key={s.key} className="check">
                <input
                  type="checkbox"
                  name="sites"
                  value={s.key}
                  checked={f.values.sites.includes(s.key)}
                  onChange={(e) => f.set({ sites: e.target.checked ? [...f.values.sites, s.key] : f.values.sites.filter((x) => x !== s.key) })}
                />{" "}
                {s.name}
              </label>
            ))}
            <FieldError errors={f.errors} name="sites" />
          </fieldset>
        ) : null}
        <button type="submit" className="button">
          Create user
        </button>
      </form>
    </>
  );
}

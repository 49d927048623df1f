"use client";

// Creating sites, areas and lines, and renaming them, on the asset page. Slugs are MQTT topic levels:
// set once, never renamed. The server validates (lib/features/admin/structure-input.ts); its messages are shown
// next to the field they name.
import { type ReactNode, useState } from "react";
import { type Posted, postJson } from "./admin-post.ts";

type Fields = Record<string, string>;

function Field({ label, name, errors, children }: { label: string; name: string; errors: Fields; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the child passed in
    <label>
      {label}
      {children}
      {errors[name] ? (
        <span className="field-error" role="alert" data-testid={`error-${name}`}>
          {errors[name]}
        </span>
      ) : null}
    </label>
  );
}

/** A small form: its values, its submit with the server's per-field messages, and the form-level error. */
function useAdminForm<T extends Record<string, string>>(initial: T) {
  const [v, setV] = useState<T>(initial);
  const [errors, setErrors] = useState<Fields>({});
  const [message, setMessage] = useState<string | null>(null);
  // one request at a time: a double click must not send the create twice
  const [busy, setBusy] = useState(false);
  const submit = async (send: () => Promise<Posted<unknown>>, done: () => Promise<void> | void) => {
    if (busy) return;
    setBusy(true);
    const r = await send().finally(() => setBusy(false));
    if (r.ok) {
      setErrors({});
      setMessage(null);
      setV(initial);
      await done();
    } else {
      setErrors(r.fields);
      setMessage(r.message);
    }
  };
  const input = (name: keyof T & string, label: string, placeholder?: string) => (
    <Field label={label} name={name} errors={errors}>
      <input value={v[name]} onChange={(e) => setV({ ...v, [name]: e.target.value })} aria-label={label} placeholder={placeholder} />
    </Field>
  );
  const error = message ? (
    <div className="form-error" role="alert" style={{ flexBasis: "100%" }}>
      {message}
    </div>
  ) : null;
  return { v, setV, errors, submit, input, error, busy };
}

export function NewSiteForm({ enterprises, onDone }: { enterprises: { slug: string; name: string }[]; onDone: () => Promise<void> }) {
  const f = useAdminForm({ enterprise: enterprises[0]?.slug ?? "", slug: "", name: "", timeZone: "" });
  return (
    <form
      className="command-form"
      aria-label="New site"
      onSubmit={(e) => {
        e.preventDefault();
        void f.submit(() => postJson("/api/v1/admin/sites", f.v), onDone);
      }}
    >
      <Field label="Enterprise" name="enterprise" errors={f.errors}>
        <select aria-label="Enterprise" value={f.v.enterprise} onChange={(e) => f.setV({ ...f.v, enterprise: e.target.value })}>
          {enterprises.map((x) => (
            <option key={x.slug} value={x.slug}>
              {x.name} ({x.slug})
            </option>
          ))}
        </select>
      </Field>
      {f.input("slug", "Site slug", "e.g. lyon")}
      {f.input("name", "Site name")}
      {f.input("timeZone", "Time zone", "e.g. Europe/Paris")}
      <button type="submit" className="button" disabled={f.busy}>
        Add site
      </button>
      {f.error}
    </form>
  );
}

export function NewAreaForm({ site, onDone }: { site: string; onDone: () => Promise<void> }) {
  const f = useAdminForm({ slug: "", name: "" });
  return (
    <form
      className="command-form"
      aria-label={`new area in ${site}`}
      onSubmit={(e) => {
        e.preventDefault();
        void f.submit(() => postJson("/api/v1/admin/areas", { site, ...f.v }), onDone);
      }}
    >
      {f.input("slug", "Area slug")}
      {f.input("name", "Area name")}
      <button type="submit" className="button" disabled={f.busy}>
        Add area
      </button>
      {f.error}
    </form>
  );
}

export function NewLineForm({
  site,
  areas,
  calendars,
  onDone,
}: {
  site: string;
  areas: { key: string; name: string }[];
  calendars: { id: string; name: string }[];
  onDone: () => Promise<void>;
}) {
  const f = useAdminForm({ area: areas[0]?.key ?? "", slug: "", name: "", calendarId: "" });
  return (
    <form
      className="command-form"
      aria-label={`new line in ${site}`}
      onSubmit={(e) => {
        e.preventDefault();
        void f.submit(() => postJson("/api/v1/admin/lines", { ...f.v, calendarId: f.v.calendarId || null }), onDone);
      }}
    >
      <Field label="Area" name="area" errors={f.errors}>
        <select aria-label="Area" value={f.v.area} onChange={(e) => f.setV({ ...f.v, area: e.target.value })}>
          {areas.map((a) => (
            <option key={a.key} value={a.key}>
              {a.name}
            </option>
          ))}
        </select>
      </Field>
      {f.input("slug", "Line slug")}
      {f.input("name", "Line name")}
      <Field label="Shift calendar" name="calendarId" errors={f.errors}>
        <select aria-label="Shift calendar" value={f.v.calendarId} onChange={(e) => f.setV({ ...f.v, calendarId: e.target.value })}>
          <option value="">planned around the clock</option>
          {calendars.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      </Field>
      <button type="submit" className="button" disabled={f.busy}>
        Add line
      </button>
      {f.error}
    </form>
  );
}

/** A name with a "rename" button that turns into an input; the slug (in the key) stays. */
export function Rename({ url, name, what, onDone }: { url: string; name: string; what: string; onDone: () => Promise<void> }) {
  const [editing, setEditing] = useState(false);
  const f = useAdminForm({ name });
  if (!editing) {
    return (
      <button type="button" className="link-button" onClick={() => setEditing(true)} aria-label={`rename ${what}`}>
        rename
      </button>
    );
  }
  return (
    <form
      className="command-form inline-form"
      aria-label={`rename ${what}`}
      onSubmit={(e) => {
        e.preventDefault();
        void f.submit(
          () => postJson(url, f.v),
          async () => {
            setEditing(false);
            await onDone();
          },
        );
      }}
    >
      {f.input("name", "New name")}
      <button type="submit" className="button" disabled={f.busy}>
        Save name
      </button>
      <button type="button" className="link-button" onClick={() => setEditing(false)}>
        Cancel
      </button>
      {f.error}
    </form>
  );
}

/** Removes an empty site, area or line (one created by mistake), after an explicit confirmation. */
export function Remove({ url, what, onDone }: { url: string; what: string; onDone: () => Promise<void> }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!asking) {
    return (
      <button type="button" className="link-button" onClick={() => setAsking(true)} aria-label={`remove ${what}`}>
        remove
      </button>
    );
  }
  return (
    <fieldset className="inline-form remove-confirm" aria-label={`remove ${what}?`}>
      Remove {what}? It is empty; the removal is audited.{" "}
      <button
        type="button"
        className="button"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          const r = await postJson(url, {}).finally(() => setBusy(false));
          if (!r.ok) {
            setError(r.message);
            return;
          }
          setAsking(false);
          await onDone();
        }}
      >
        Yes, remove
      </button>{" "}
      <button type="button" className="link-button" onClick={() => setAsking(false)}>
        Cancel
      </button>
      {error ? (
        <span className="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </fieldset>
  );
}

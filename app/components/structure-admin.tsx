"use client";

// Creating sites, areas and lines, and renaming them, on the asset page. Slugs are MQTT topic levels:
// set once, never renamed. The server validates (lib/contract/asset-structure.ts); its messages are shown
// next to the field they name.
import { useState } from "react";
import { Field, FormError, TextField, useAdminForm } from "./admin-form.tsx";
import { postJson } from "./admin-post.ts";

export function NewSiteForm({ enterprises, onDone }: { enterprises: { slug: string; name: string }[]; onDone: () => Promise<void> }) {
  const f = useAdminForm({ enterprise: enterprises[0]?.slug ?? "", slug: "", name: "", timeZone: "" });
  return (
    <form
      className="command-form"
      aria-label="New site"
      onSubmit={(e) => {
        e.preventDefault();
        void f.submit(() => postJson("/api/v1/admin/sites", f.values), onDone);
      }}
    >
      <Field label="Enterprise" name="enterprise" errors={f.errors}>
        <select aria-label="Enterprise" value={f.values.enterprise} onChange={(e) => f.set({ enterprise: e.target.value })}>
          {enterprises.map((x) => (
            <option key={x.slug} value={x.slug}>
              {x.name} ({x.slug})
            </option>
          ))}
        </select>
      </Field>
      <TextField form={f} name="slug" label="Site slug" placeholder="e.g. lyon" />
      <TextField form={f} name="name" label="Site name" />
      <TextField form={f} name="timeZone" label="Time zone" placeholder="e.g. Europe/Paris" />
      <button type="submit" className="button" disabled={f.busy}>
        Add site
      </button>
      <FormError message={f.message} wide />
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
        void f.submit(() => postJson("/api/v1/admin/areas", { site, ...f.values }), onDone);
      }}
    >
      <TextField form={f} name="slug" label="Area slug" />
      <TextField form={f} name="name" label="Area name" />
      <button type="submit" className="button" disabled={f.busy}>
        Add area
      </button>
      <FormError message={f.message} wide />
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
        void f.submit(() => postJson("/api/v1/admin/lines", { ...f.values, calendarId: f.values.calendarId || null }), onDone);
      }}
    >
      <Field label="Area" name="area" errors={f.errors}>
        <select aria-label="Area" value={f.values.area} onChange={(e) => f.set({ area: e.target.value })}>
          {areas.map((a) => (
            <option key={a.key} value={a.key}>
              {a.name}
            </option>
          ))}
        </select>
      </Field>
      <TextField form={f} name="slug" label="Line slug" />
      <TextField form={f} name="name" label="Line name" />
      <Field label="Shift calendar" name="calendarId" errors={f.errors}>
        <select aria-label="Shift calendar" value={f.values.calendarId} onChange={(e) => f.set({ calendarId: e.target.value })}>
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
      <FormError message={f.message} wide />
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
          () => postJson(url, f.values),
          async () => {
            setEditing(false);
            await onDone();
          },
        );
      }}
    >
      <TextField form={f} name="name" label="New name" />
      <button type="submit" className="button" disabled={f.busy}>
        Save name
      </button>
      <button type="button" className="link-button" onClick={() => setEditing(false)}>
        Cancel
      </button>
      <FormError message={f.message} wide />
    </form>
  );
}

/** Removes an empty site, area or line (one created by mistake), after an explicit confirmation. */
export function Remove({ url, what, onDone }: { url: string; what: string; onDone: () => Promise<void> }) {
  const [asking, setAsking] = useState(false);
  const f = useAdminForm({});
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
        disabled={f.busy}
        onClick={() =>
          f.submit(
            () => postJson(url, {}),
            async () => {
              setAsking(false);
              await onDone();
            },
          )
        }
      >
        Yes, remove
      </button>{" "}
      <button type="button" className="link-button" onClick={() => setAsking(false)}>
        Cancel
      </button>
      {f.message ? (
        <span className="field-error" role="alert">
          {f.message}
        </span>
      ) : null}
    </fieldset>
  );
}

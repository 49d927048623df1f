"use client";

// The one form hook of the admin pages. The server validates (it has the rules and the data); a form
// keeps its values, sends them, and shows what the server refused: each message next to the field it
// names (postJson turns the API's `invalid` details into field paths such as "rules.0.category") and
// the whole message under the form. A small hook rather than react-hook-form: the values are typed
// (numbers, nulls, rows, sets of machines) and drive live previews (the loss-mapping diff), the
// inputs are controlled, and there are no client-side rules to register.
import { type ReactNode, useState } from "react";
import type { Posted } from "./admin-post.ts";

export type FieldErrors = Record<string, string>;

type SubmitOptions = {
  /** set the values back to the initial ones after a success (a create form); false when the form closes or keeps its values */
  reset?: boolean;
};

export function useAdminForm<T extends object>(initial: T) {
  const [values, setValues] = useState<T>(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  // one request at a time: a double click must not send a create twice
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<T>) => setValues((v) => ({ ...v, ...patch }));
  /** Shows a refusal: the form-level message and the messages of the fields it names. */
  const fail = (text: string | null, fields: FieldErrors = {}) => {
    setErrors(fields);
    setMessage(text);
  };
  const reset = (to: T = initial) => {
    setValues(to);
    fail(null);
  };
  /** Sends once; a refusal is shown and returned, a success clears the errors and calls done with the answer. */
  async function submit<R>(send: () => Promise<Posted<R>>, done: (data: R) => Promise<void> | void, options: SubmitOptions = {}): Promise<Posted<R> | null> {
    if (busy) return null;
    setBusy(true);
    const r = await send().finally(() => setBusy(false));
    if (!r.ok) {
      fail(r.message, r.fields);
      return r;
    }
    if (options.reset === false) fail(null);
    else reset();
    await done(r.data);
    return r;
  }
  return { values, set, setValues, errors, message, busy, fail, reset, submit };
}

export type AdminForm<T extends object> = ReturnType<typeof useAdminForm<T>>;

/** The server's message for one field, next to it. */
export function FieldError({ errors, name }: { errors: FieldErrors; name: string }) {
  return errors[name] ? (
    <span className="field-error" role="alert" data-testid={`error-${name}`}>
      {errors[name]}
    </span>
  ) : null;
}

/** The whole refusal, under the form; `wide` takes a row of its own in a flex form. */
export function FormError({ message, wide = false, testId }: { message: string | null; wide?: boolean; testId?: string }) {
  return message ? (
    <div className="form-error" role="alert" style={wide ? { flexBasis: "100%" } : undefined} data-testid={testId}>
      {message}
    </div>
  ) : null;
}

/** A labelled control with its field's message. */
export function Field({ label, name, errors, children }: { label: string; name: string; errors: FieldErrors; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the child passed in
    <label>
      {label}
      {children}
      <FieldError errors={errors} name={name} />
    </label>
  );
}

type StringKey<T> = { [K in keyof T]: T[K] extends string ? K : never }[keyof T] & string;

/** A text input bound to one string value of the form, labelled (and named for screen readers) by `label`. */
export function TextField<T extends object>({
  form,
  name,
  label,
  placeholder,
}: {
  form: AdminForm<T>;
  name: StringKey<T>;
  label: string;
  placeholder?: string;
}) {
  return (
    <Field label={label} name={name} errors={form.errors}>
      <input
        value={form.values[name] as string}
        onChange={(e) => form.set({ [name]: e.target.value } as Partial<T>)}
        aria-label={label}
        placeholder={placeholder}
      />
    </Field>
  );
}

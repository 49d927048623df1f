// POST for the admin forms: the answer's JSON on success, else the error message and the message of
// each field it names ("body.rules.3.category: ..." in details or in the message), for the form to
// show next to the field.
export type Posted<T> = { ok: true; data: T } | { ok: false; message: string; fields: Record<string, string>; status?: number };

export async function postJson<T = unknown>(url: string, body: unknown): Promise<Posted<T>> {
  let res: Response;
  try {
    res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  } catch (e) {
    return { ok: false, message: `the server could not be reached: ${(e as Error).message}`, fields: {} };
  }
  const json = (await res.json().catch(() => ({}))) as { error?: { message?: string; details?: { path: string; message: string }[] } } & T;
  if (res.ok) return { ok: true, data: json as T };
  const message = json.error?.message ?? `the server answered ${res.status}`;
  const fields: Record<string, string> = {};
  const details = Array.isArray(json.error?.details) ? json.error.details : [];
  for (const d of details) fields[d.path.replace(/^body\./, "")] ??= d.message;
  // refusals of the services name the field at the start of the message: "body.slug: ..."
  const m = /^body\.([\w.]+): (.*)$/.exec(message);
  if (m?.[1] && m[2] && details.length === 0) fields[m[1]] = m[2];
  return { ok: false, message, fields, status: res.status };
}

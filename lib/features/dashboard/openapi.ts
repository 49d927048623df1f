// The OpenAPI 3.1 document of /api/v1, generated from the catalog's zod schemas (so it cannot drift
// from what the handlers accept).
import { z } from "zod";
import type { RouteSpec } from "./api.ts";
import { catalog, errorSchema } from "./catalog.ts";

const json = (schema: z.ZodType, io: "input" | "output") => z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" });

export function openApiDocument(serverUrl?: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  const errorRef = { $ref: "#/components/schemas/Error" };
  for (const [id, spec] of Object.entries(catalog) as [string, RouteSpec][]) {
    const op: Record<string, unknown> = {
      operationId: id,
      summary: spec.summary,
      security: spec.auth === "public" ? [] : [{ session: [] }, { bearer: [] }],
      "x-andon-permission": spec.auth,
      responses: {
        "200": { description: "OK", content: { "application/json": { schema: json(spec.response, "output") } } },
        ...(spec.auth === "public" ? {} : { "401": { description: "not signed in", content: { "application/json": { schema: errorRef } } } }),
        ...(spec.auth === "public" || spec.auth === "signed-in"
          ? {}
          : { "403": { description: "not allowed", content: { "application/json": { schema: errorRef } } } }),
        ...(spec.query || spec.body ? { "400": { description: "invalid input", content: { "application/json": { schema: errorRef } } } } : {}),
      },
    };
    if (spec.query) {
      const s = json(spec.query, "input") as { properties?: Record<string, unknown>; required?: string[] };
      op.parameters = Object.entries(s.properties ?? {}).map(([name, schema]) => ({
        name,
        in: "query",
        required: s.required?.includes(name) ?? false,
        schema,
      }));
    }
    if (spec.body) op.requestBody = { required: true, content: { "application/json": { schema: json(spec.body, "input") } } };
    paths[spec.path] = { ...(paths[spec.path] ?? {}), [spec.method.toLowerCase()]: op };
  }
  return {
    openapi: "3.1.0",
    info: { title: "Andon API", version: "1", description: "OEE and predictive maintenance over MQTT. Errors: {error:{code,message,details?}}." },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    paths,
    components: {
      schemas: { Error: json(errorSchema, "output") },
      securitySchemes: {
        session: { type: "apiKey", in: "cookie", name: "andon_session" },
        bearer: { type: "http", scheme: "bearer", description: "an API token (andon tokens create)" },
      },
    },
  };
}

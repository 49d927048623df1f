// Sites, areas and lines: added, renamed, removed (admin).
import { z } from "zod";
import { NewArea, NewLine, NewSite, Rename } from "#lib/contract/asset-structure.ts";
import type { RouteSpec } from "#lib/features/dashboard/api.ts";

export const adminStructureRoutes = {
  createSite: {
    method: "POST",
    path: "/api/v1/admin/sites",
    summary: "Add a site to an enterprise (slug = MQTT topic level, permanent; IANA time zone); audited",
    auth: "admin",
    body: NewSite,
    response: z.object({ id: z.string(), key: z.string() }),
  },
  renameSite: {
    method: "POST",
    path: "/api/v1/admin/sites/{id}",
    summary: "Rename a site (its slug stays); audited",
    auth: "admin",
    params: z.object({ id: z.string().uuid() }),
    body: Rename,
    response: z.object({ key: z.string() }),
  },
  createArea: {
    method: "POST",
    path: "/api/v1/admin/areas",
    summary: "Add an area to a site; audited",
    auth: "admin",
    body: NewArea,
    response: z.object({ id: z.string(), key: z.string() }),
  },
  renameArea: {
    method: "POST",
    path: "/api/v1/admin/areas/{id}",
    summary: "Rename an area (its slug stays); audited",
    auth: "admin",
    params: z.object({ id: z.string().uuid() }),
    body: Rename,
    response: z.object({ key: z.string() }),
  },
  createLine: {
    method: "POST",
    path: "/api/v1/admin/lines",
    summary: "Add a line to an area, optionally with one of the site's shift calendars; audited",
    auth: "admin",
    body: NewLine,
    response: z.object({ id: z.string(), key: z.string() }),
  },
  renameLine: {
    method: "POST",
    path: "/api/v1/admin/lines/{id}",
    summary: "Rename a line (its slug stays); audited",
    auth: "admin",
    params: z.object({ id: z.string().uuid() }),
    body: Rename,
    response: z.object({ key: z.string() }),
  },
  removeSite: {
    method: "POST",
    path: "/api/v1/admin/sites/{id}/remove",
    summary:
      "Remove a site without areas (its calendars go with it; taken out of users' and tokens' site lists), e.g. one created by mistake; 409 when it is not empty; audited",
    auth: "admin",
    params: z.object({ id: z.string().uuid() }),
    response: z.object({ key: z.string() }),
  },
  removeArea: {
    method: "POST",
    path: "/api/v1/admin/areas/{id}/remove",
    summary: "Remove an area without lines, e.g. one created by mistake; 409 when it is not empty; audited",
    auth: "admin",
    params: z.object({ id: z.string().uuid() }),
    response: z.object({ key: z.string() }),
  },
  removeLine: {
    method: "POST",
    path: "/api/v1/admin/lines/{id}/remove",
    summary: "Remove a line without machines, e.g. one created by mistake; 409 when it is not empty; audited",
    auth: "admin",
    params: z.object({ id: z.string().uuid() }),
    response: z.object({ key: z.string() }),
  },
} as const satisfies Record<string, RouteSpec>;

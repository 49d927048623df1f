// The post-sign-in redirect: only same-origin paths, everything else goes to "/".
import { describe, expect, it } from "vitest";
import { safeNextPath } from "#lib/features/dashboard/redirect.ts";

describe("safeNextPath", () => {
  it.each([
    ["/", "/"],
    ["/sites/acme/dresden", "/sites/acme/dresden"],
    ["/sites/acme/dresden?hours=8#timeline", "/sites/acme/dresden?hours=8#timeline"],
    ["/admin/tokens", "/admin/tokens"],
    ["/a/../admin", "/admin"],
  ])("keeps the local path %j", (next, want) => {
    expect(safeNextPath(next)).toBe(want);
  });

  it.each([
    "//evil.example",
    "//evil.example/path",
    "/\\evil.example",
    "\\\\evil.example",
    "/%5Cevil.example",
    "/%5cevil.example",
    "/%2F%2Fevil.example",
    "%2F%2Fevil.example",
    "https://evil.example",
    "http:evil.example",
    "javascript:alert(1)",
    "evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    " /evil",
    "/%E0%A4%A",
    "",
    undefined,
    null,
    `/${"a".repeat(3000)}`,
  ])("refuses %j", (next) => {
    expect(safeNextPath(next)).toBe("/");
  });
});

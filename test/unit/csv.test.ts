// CSV exports: RFC 4180 quoting, and no text cell a spreadsheet would run as a formula (CSV injection).
import { describe, expect, it } from "vitest";
import { kpisOf } from "#lib/domain/oee/kpis.ts";
import type { TimeElements } from "#lib/domain/oee/types.ts";
import { csvCell, csvLine } from "#lib/features/dashboard/csv.ts";
import { figuresCsv, sumElements } from "#lib/features/dashboard/oee-read.ts";

describe("csvCell", () => {
  it.each([
    ['=HYPERLINK("http://evil.example","x")', '"\'=HYPERLINK(""http://evil.example"",""x"")"'],
    ["+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1:A9)", "'@SUM(A1:A9)"],
    ["\t=1", "'\t=1"],
    ["\r=1", '"\'\r=1"'],
    ["plain text", "plain text"],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["line\nbreak", '"line\nbreak"'],
    ["1=1", "1=1"],
    ["", ""],
  ])("text %j -> %j", (input, want) => {
    expect(csvCell(input)).toBe(want);
  });

  it("numbers stay numbers (a negative figure is not text), empties are empty, objects are neutralised JSON", () => {
    expect(csvCell(-3.5)).toBe("-3.5");
    expect(csvCell(0)).toBe("0");
    expect(csvCell(Number.NaN)).toBe("");
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
    expect(csvCell(["=x"])).toBe('"[""=x""]"');
    expect(csvLine(["=a", -1, null, "b"])).toBe("'=a,-1,,b");
  });
});

describe("figuresCsv", () => {
  it("neutralises a hostile bucket label and keeps numeric columns numeric", () => {
    const zero = Object.fromEntries(Object.keys(sumElements([])).map((k) => [k, 0])) as unknown as TimeElements;
    const elements: TimeElements = { ...zero, calendarS: 3600, plannedBusyS: 3600, runS: 3000, netRunS: -5 };
    const kpis = kpisOf(elements);
    const csv = figuresCsv([
      {
        key: "acme/dresden",
        name: "Dresden",
        timeZone: "Europe/Berlin",
        totals: { elements, kpis, losses: {} as never, mappingVersions: [] },
        series: [{ ts: "2026-01-01T00:00:00.000Z", end: "2026-01-01T01:00:00.000Z", label: "=cmd|'/C calc'!A0", elements, kpis, flags: [] }],
      },
    ]);
    const [, bucket, total] = csv.trim().split("\n");
    expect(bucket?.split(",")[3]).toBe("'=cmd|'/C calc'!A0");
    // net_run_s is the 7th column: a negative number is written as a number
    expect(bucket?.split(",")[6]).toBe("-5");
    expect(total?.split(",")[3]).toBe("TOTAL");
  });
});

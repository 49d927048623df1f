// Andon's ILP encoder writes the same bytes as QuestDB's own client (protocol v2) for the same rows.
import { Sender } from "@questdb/nodejs-client";
import { describe, expect, it } from "vitest";
import { IlpEncoder } from "#lib/adapters/questdb/ilp.ts";
import type { Field, Row } from "#lib/adapters/questdb/rows.ts";

const rows: Row[] = [
  {
    table: "vibration",
    symbols: [
      ["enterprise", "acme"],
      ["machine", "press 1,=\\x"],
      ["unit", "µm/s ünïcödé"],
    ],
    fields: [
      { kind: "float", name: "velocity_rms_mm_s", value: 1.25 },
      { kind: "float", name: "kurtosis", value: -0 },
      { kind: "int", name: "total", value: 123456789012 },
      { kind: "string", name: "reason", value: 'a "quoted", line\nbreak \\ and ünïcödé = , ' },
      { kind: "timestamp", name: "seen_at", micros: 1_765_000_000_123_456 },
      { kind: "array", name: "samples", value: [0.5, -1, 3.25e-9] },
    ],
    ts: 1_765_000_000_000_001,
  },
  { table: "counts", symbols: [["mode", "delta"]], fields: [], ts: 1 },
  { table: "t.x", symbols: [], fields: [{ kind: "int", name: "n", value: -5 }], ts: 2 },
];

async function clientBytes(rs: Row[]): Promise<Buffer> {
  const sender = await Sender.fromConfig("http::addr=127.0.0.1:1;protocol_version=2;auto_flush=off");
  for (const r of rs) {
    sender.table(r.table);
    for (const [k, v] of r.symbols) sender.symbol(k, v);
    for (const f of r.fields) {
      if (f.kind === "float") sender.floatColumn(f.name, f.value);
      else if (f.kind === "int") sender.intColumn(f.name, f.value);
      else if (f.kind === "string") sender.stringColumn(f.name, f.value);
      else if (f.kind === "timestamp") sender.timestampColumn(f.name, f.micros, "us");
      else if (f.kind === "array") sender.arrayColumn(f.name, f.value);
    }
    await sender.at(r.ts, "us");
  }
  const view = (sender as unknown as { buffer: { toBufferNew(): Buffer } }).buffer.toBufferNew();
  await sender.close();
  return Buffer.from(view);
}

describe("IlpEncoder", () => {
  it("encodes rows byte for byte as @questdb/nodejs-client does (v2: escapes, UTF-8, binary doubles and arrays)", async () => {
    const ours = new IlpEncoder(1 << 20, 16).encode(rows).bytes;
    expect(ours.toString("hex")).toBe((await clientBytes(rows)).toString("hex"));
  });

  it("writes the same bytes for rows sharing one symbols list (its text kept) and for the same list under another table", async () => {
    const shared: [string, string][] = [
      ["enterprise", "acme"],
      ["machine", "press 1,=\\x"],
      ["mode", "delta"],
    ];
    const unicode: [string, string][] = [["site", "Zürich"]];
    const many: Row[] = [
      { table: "counts", symbols: shared, fields: [{ kind: "int", name: "total", value: 1 }], ts: 10 },
      { table: "counts", symbols: shared, fields: [{ kind: "int", name: "total", value: 2 }], ts: 11 },
      { table: "oee_late", symbols: shared, fields: [{ kind: "int", name: "n", value: 3 }], ts: 12 },
      { table: "counts", symbols: shared, fields: [{ kind: "int", name: "total", value: 4 }], ts: 13 },
      { table: "state", symbols: unicode, fields: [{ kind: "int", name: "code", value: 5 }], ts: 14 },
      { table: "state", symbols: unicode, fields: [{ kind: "int", name: "code", value: 6 }], ts: 15 },
    ];
    const enc = new IlpEncoder(1 << 20, 16);
    const expected = (await clientBytes(many)).toString("hex");
    expect(enc.encode(many).bytes.toString("hex")).toBe(expected);
    // again: every list's text now comes from what was kept
    expect(enc.encode(many).bytes.toString("hex")).toBe(expected);
  });

  it("grows its buffer in time wherever a binary double or array falls (every offset up to a doubling boundary)", async () => {
    // a float or an array right at the end of the buffer once wrote past it: 8,388,601 > 8,388,600 on an 8 MiB buffer
    for (let pad = 0; pad < 140; pad++) {
      const fields: Field[] = [
        { kind: "float", name: "f", value: 1.5 },
        { kind: "array", name: "a", value: [1, 2] },
      ];
      for (const field of fields) {
        const rs: Row[] = [{ table: "t", symbols: [["s", "x".repeat(pad)]], fields: [field], ts: 1 }];
        const ours = new IlpEncoder(1 << 20, 16).encode(rs).bytes;
        expect(ours.toString("hex")).toBe((await clientBytes(rs)).toString("hex"));
      }
    }
  });

  it("stamps every storedAt column on each attempt, in place and at a fixed width", () => {
    const enc = new IlpEncoder(1 << 20);
    const row: Row = { table: "counts", symbols: [["m", "a"]], fields: [{ kind: "storedAt", name: "received_at" }], ts: 5 };
    const batch = enc.encode([row, row]);
    IlpEncoder.stamp(batch, 1_765_000_000_000_001);
    expect(batch.bytes.toString()).toBe("counts,m=a received_at=1765000000000001t 5t\ncounts,m=a received_at=1765000000000001t 5t\n");
    IlpEncoder.stamp(batch, 1_765_000_000_999_999);
    expect(batch.bytes.toString()).toBe("counts,m=a received_at=1765000000999999t 5t\ncounts,m=a received_at=1765000000999999t 5t\n");
  });

  it("refuses what QuestDB's names and types do not allow, and a batch above its buffer limit", () => {
    const enc = new IlpEncoder(1024);
    expect(() => enc.encode([{ table: "a/b", symbols: [["k", "v"]], fields: [], ts: 1 }])).toThrow(/invalid table name/);
    expect(() => enc.encode([{ table: "t", symbols: [["k-1", "v"]], fields: [], ts: 1 }])).toThrow(/invalid column name/);
    expect(() => enc.encode([{ table: "t", symbols: [], fields: [{ kind: "int", name: "n", value: 1.5 }], ts: 1 }])).toThrow(/integer/);
    expect(() => enc.encode([{ table: "t", symbols: [], fields: [{ kind: "array", name: "a", value: new Array(200).fill(1) }], ts: 1 }])).toThrow(
      /more than the buffer's 1024 bytes/,
    );
  });
});

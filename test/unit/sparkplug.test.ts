// The Sparkplug B host application's pure parts: topics and payload decoding (lib/contract/sparkplug.ts),
// the edge node sessions (births, aliases, sequence numbers, deaths; lib/features/ingest/sparkplug-session.ts)
// and the mapping of metrics onto Andon's channels (lib/features/ingest/sparkplug-mapping.ts).
import type { MessageInitShape } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import type { Payload_MetricSchema } from "#lib/contract/generated/sparkplug_b_pb.ts";
import {
  commandPayload,
  commandValue,
  DataType,
  decodeSparkplug,
  encodeSparkplug,
  metricValue,
  parseSparkplugTopic,
  type SparkplugTopic,
} from "#lib/contract/sparkplug.ts";
import { reportAnswer } from "#lib/features/ingest/sparkplug-commands.ts";
import { rebirthCommand } from "#lib/features/ingest/sparkplug-ingest.ts";
import { indexMappings, machinesOf, mappingProblem, type SparkplugMapping, translateReadings } from "#lib/features/ingest/sparkplug-mapping.ts";
import { REBIRTH_RETRY_MS, SparkplugHost } from "#lib/features/ingest/sparkplug-session.ts";

type M = MessageInitShape<typeof Payload_MetricSchema>;
const payload = (seq: number, metrics: M[], timestamp = 1_700_000_000_000) =>
  decode(encodeSparkplug({ timestamp: BigInt(timestamp), seq: BigInt(seq), metrics }));
const decode = (b: Uint8Array) => {
  const d = decodeSparkplug(b);
  if (!d.ok) throw new Error(d.reason);
  return d.payload;
};
const dbl = (name: string | undefined, alias: number | undefined, value: number): M => ({
  ...(name !== undefined ? { name } : {}),
  ...(alias !== undefined ? { alias: BigInt(alias) } : {}),
  datatype: DataType.Double,
  value: { case: "doubleValue", value },
});
const bdSeq = (n: number): M => ({ name: "bdSeq", datatype: DataType.UInt64, value: { case: "longValue", value: BigInt(n) } });
const topic = (type: SparkplugTopic["type"], device?: string): SparkplugTopic => ({ group: "plant", type, edgeNode: "gw1", ...(device ? { device } : {}) });

describe("Sparkplug topics and payloads", () => {
  it("parses node and device topics and refuses the rest with a reason", () => {
    expect(parseSparkplugTopic("spBv1.0/plant/DDATA/gw1/press-7")).toEqual({
      ok: true,
      topic: { group: "plant", type: "DDATA", edgeNode: "gw1", device: "press-7" },
    });
    expect(parseSparkplugTopic("spBv1.0/plant/NBIRTH/gw1")).toEqual({ ok: true, topic: { group: "plant", type: "NBIRTH", edgeNode: "gw1" } });
    expect(parseSparkplugTopic("spBv1.0/plant/DDATA/gw1")).toMatchObject({ ok: false, reason: expect.stringMatching(/<device>/) });
    expect(parseSparkplugTopic("spBv1.0/plant/NXYZ/gw1")).toMatchObject({ ok: false, reason: expect.stringMatching(/message type/) });
    expect(parseSparkplugTopic("spBv1.0/STATE/andon")).toMatchObject({ ok: false, reason: expect.stringMatching(/STATE/) });
  });

  it("decodes what it encodes, keeps 64-bit integers exact up to 2^53 and refuses larger ones, sign-extends signed types", () => {
    const p = payload(3, [
      { name: "count", datatype: DataType.UInt64, value: { case: "longValue", value: 2n ** 53n - 1n } },
      { name: "huge", datatype: DataType.UInt64, value: { case: "longValue", value: 2n ** 63n + 5n } },
      { name: "minus", datatype: DataType.Int32, value: { case: "intValue", value: 0xfffffffe } },
      { name: "off", isNull: true, datatype: DataType.Double },
    ]);
    expect(p.seq).toBe(3n);
    const [count, huge, minus, off] = p.metrics;
    expect(metricValue(count!, count!.datatype)).toEqual({ ok: true, value: 2 ** 53 - 1 });
    expect(metricValue(huge!, huge!.datatype)).toMatchObject({ ok: false, reason: expect.stringMatching(/beyond 2\^53/) });
    expect(metricValue(minus!, minus!.datatype)).toEqual({ ok: true, value: -2 });
    expect(metricValue(off!, off!.datatype)).toEqual({ ok: true, value: null });
  });

  it("refuses bytes that are not a Sparkplug payload, without throwing", () => {
    expect(decodeSparkplug(Buffer.from([0x0a, 0xff, 0xff, 0xff]))).toMatchObject({ ok: false, reason: expect.stringMatching(/not a valid protobuf/) });
  });

  it("a rebirth request is an NCMD with Node Control/Rebirth = true", () => {
    const r = rebirthCommand("plant", "gw1", 1_700_000_000_000);
    expect(r.topic).toBe("spBv1.0/plant/NCMD/gw1");
    const m = decode(r.payload).metrics[0]!;
    expect([m.name, m.datatype, m.value]).toEqual(["Node Control/Rebirth", DataType.Boolean, { case: "booleanValue", value: true }]);
  });
});

describe("Sparkplug host sessions", () => {
  it("resolves aliases from the birth, follows the sequence, and asks for a rebirth once per gap", () => {
    const host = new SparkplugHost();
    const birth = host.receive(topic("NBIRTH"), payload(0, [bdSeq(4), dbl("Temperature", 1, 20)]), 0);
    expect(birth).toMatchObject({
      kind: "values",
      birth: true,
      readings: [
        { name: "bdSeq", value: 4 },
        { name: "Temperature", value: 20 },
      ],
    });
    expect(host.receive(topic("NDATA"), payload(1, [dbl(undefined, 1, 21)]), 0)).toMatchObject({
      kind: "values",
      readings: [{ name: "Temperature", value: 21 }],
      problems: [],
    });
    const gap = host.receive(topic("NDATA"), payload(5, [dbl(undefined, 1, 22)]), 0);
    expect(gap).toMatchObject({ kind: "values", readings: [{ value: 22 }], rebirth: "Sparkplug sequence gap: NDATA has seq 5, expected 2" });
    // the next gap before the rebirth arrives does not ask again, until REBIRTH_RETRY_MS passed
    expect(host.receive(topic("NDATA"), payload(9, [dbl(undefined, 1, 23)]), 1)).not.toHaveProperty("rebirth");
    expect(host.receive(topic("NDATA"), payload(0, [dbl(undefined, 1, 24)]), REBIRTH_RETRY_MS + 1)).toHaveProperty("rebirth");
    // the sequence wraps 255 -> 0
    host.receive(topic("NBIRTH"), payload(254, [bdSeq(5), dbl("Temperature", 1, 20)]), 0);
    expect(host.receive(topic("NDATA"), payload(255, [dbl(undefined, 1, 1)]), 0)).not.toHaveProperty("rebirth");
    expect(host.receive(topic("NDATA"), payload(0, [dbl(undefined, 1, 2)]), 0)).not.toHaveProperty("rebirth");
  });

  it("data before a birth, an unknown alias and a device's data before its DBIRTH ask for a rebirth", () => {
    const host = new SparkplugHost();
    expect(host.receive(topic("NDATA"), payload(7, [dbl(undefined, 1, 1)]), 0)).toMatchObject({
      kind: "ignored",
      rebirth: expect.stringMatching(/before the edge node's NBIRTH/),
    });
    host.receive(topic("NBIRTH"), payload(0, [bdSeq(1), dbl("a", 1, 1)]), 0);
    expect(host.receive(topic("NDATA"), payload(1, [dbl(undefined, 9, 1)]), 0)).toMatchObject({
      problems: ["unknown alias 9"],
      rebirth: expect.stringMatching(/unknown alias/),
    });
    host.receive(topic("NBIRTH"), payload(0, [bdSeq(2), dbl("a", 1, 1)]), 0);
    expect(host.receive(topic("DDATA", "press"), payload(1, [dbl(undefined, 1, 1)]), 0)).toMatchObject({
      kind: "ignored",
      rebirth: expect.stringMatching(/before its DBIRTH/),
    });
  });

  it("keeps device aliases apart from the node's, and ends a node only on the NDEATH of its own session (bdSeq)", () => {
    const host = new SparkplugHost();
    host.receive(topic("NBIRTH"), payload(0, [bdSeq(7), dbl("node_temp", 1, 1)]), 0);
    host.receive(topic("DBIRTH", "press"), payload(1, [dbl("good", 1, 100)]), 0);
    expect(host.receive(topic("DDATA", "press"), payload(2, [dbl(undefined, 1, 101)]), 0)).toMatchObject({
      device: "press",
      readings: [{ name: "good", value: 101 }],
    });
    expect(host.receive(topic("NDEATH"), payload(0, [bdSeq(6)]), 0)).toMatchObject({ kind: "ignored", reason: expect.stringMatching(/earlier session/) });
    expect(host.online).toEqual(["plant/gw1"]);
    expect(host.receive(topic("NDEATH"), payload(0, [bdSeq(7)]), 0)).toEqual({ kind: "death" });
    expect(host.online).toEqual([]);
  });

  it("checkpoints what changed and resumes from it in a new host: aliases, bdSeq, last values; the first seq is the baseline", () => {
    const host = new SparkplugHost();
    host.receive(topic("NBIRTH"), payload(0, [bdSeq(3), dbl("node_temp", 1, 1)]), 0);
    host.receive(topic("DBIRTH", "press"), payload(1, [dbl("good", 1, 100)], 1_700_000_000_000), 0);
    host.receive(topic("DDATA", "press"), payload(2, [dbl(undefined, 1, 101)], 1_700_000_001_000), 0);
    const changed = host.takeChanged();
    expect(changed.map(([k]) => k)).toEqual(["plant/gw1"]);
    expect(host.takeChanged()).toEqual([]); // nothing changed since
    const restarted = new SparkplugHost();
    restarted.restore("plant/gw1", JSON.parse(JSON.stringify(changed[0]![1])));
    // redelivered data (seq 2 again, not the 3 that follows): resolved by alias, no gap, no rebirth
    const again = restarted.receive(topic("DDATA", "press"), payload(2, [dbl(undefined, 1, 101)], 1_700_000_001_000), 0);
    expect(again).toMatchObject({ kind: "values", device: "press", readings: [{ name: "good", value: 101 }], problems: [] });
    expect(again).not.toHaveProperty("rebirth");
    expect(again).toMatchObject({ replay: true }); // the checkpoint holds it: its rows are stored
    expect(again.kind === "values" && again.last("good")).toEqual({ value: 101, tsMs: 1_700_000_001_000 });
    // the message after the checkpoint is new; from then on the sequence is followed again
    const fresh = restarted.receive(topic("DDATA", "press"), payload(3, [dbl(undefined, 1, 102)], 1_700_000_002_000), 0);
    expect(fresh).not.toHaveProperty("replay");
    expect(fresh).not.toHaveProperty("rebirth");
    expect(restarted.receive(topic("DDATA", "press"), payload(5, [dbl(undefined, 1, 103)]), 0)).toHaveProperty("rebirth");
    // the will of the session's own bdSeq still ends it; the dead node's checkpoint is empty
    expect(restarted.receive(topic("NDEATH"), payload(0, [bdSeq(3)]), 0)).toEqual({ kind: "death" });
    expect(restarted.takeChanged()).toEqual([["plant/gw1", undefined]]);
  });

  it("rewinds to the durable sessions: messages taken since are taken again, without a gap; nodes born since are forgotten", () => {
    const host = new SparkplugHost();
    host.receive(topic("NBIRTH"), payload(0, [bdSeq(1), dbl("t", 1, 1)], 1_700_000_000_000), 0);
    const durable = new Map(host.takeChanged());
    host.receive(topic("NDATA"), payload(1, [dbl(undefined, 1, 2)], 1_700_000_001_000), 0);
    host.receive({ ...topic("NBIRTH"), edgeNode: "gw2" }, payload(0, [bdSeq(1), dbl("t", 1, 1)]), 0);
    host.rewind(durable);
    expect(host.online).toEqual(["plant/gw1"]);
    expect(host.takeChanged()).toEqual([]);
    const again = host.receive(topic("NDATA"), payload(1, [dbl(undefined, 1, 2)], 1_700_000_001_000), 0);
    expect(again).toMatchObject({ kind: "values", readings: [{ name: "t", value: 2 }], problems: [] });
    expect(again).not.toHaveProperty("rebirth");
  });
});

const map = (metric: string, channel: SparkplugMapping["channel"], field: string, device = "press", machine = "acme/plant1/a/l/press-7"): SparkplugMapping => ({
  group: "plant",
  edgeNode: "gw1",
  device,
  metric,
  machine,
  channel,
  field,
});

describe("Sparkplug metrics onto Andon's channels", () => {
  const index = indexMappings([
    map("Status", "state", ""),
    map("Good", "counts", "total"),
    map("Scrap", "counts", "reject"),
    map("Vib/Velocity", "vibration", "velocity_rms_mm_s"),
    map("Oil Temp", "metrics", "oil_temp_c"),
    map("Bad", "counts", "sideways"),
  ]);
  const at = { group: "plant", edgeNode: "gw1", device: "press" };

  it("refuses mapping rows that cannot work, with the reason", () => {
    expect(mappingProblem(map("Bad", "counts", "sideways"))).toMatch(/total or reject/);
    expect(mappingProblem({ ...map("x", "metrics", "x"), channel: "waveform" })).toMatch(/not one of/);
    expect(mappingProblem(map("x", "metrics", "x", "press", "not-a-key"))).toMatch(/is not enterprise/);
  });

  it("groups readings by machine, channel and time; completes counters from the last value; lists the unmapped", () => {
    const ts = 1_700_000_000_000;
    const last = (n: string) => (n === "Scrap" ? { value: 3, tsMs: ts - 1000 } : undefined);
    const out = translateReadings(
      index,
      at,
      [
        { name: "Status", value: "running", tsMs: ts },
        { name: "Good", value: 120, tsMs: ts },
        { name: "Vib/Velocity", value: 2.5, tsMs: ts },
        { name: "Oil Temp", value: 41.5, tsMs: ts },
        { name: "Spindle", value: 1, tsMs: ts },
        { name: "Node Control/Rebirth", value: false, tsMs: ts },
      ],
      last,
    );
    expect(out.unmapped).toEqual(["Spindle"]);
    expect(out.refused).toEqual([]);
    expect(out.messages.map((m) => [m.telemetry.channel, m.telemetry.msg])).toEqual([
      ["state", { v: 1, ts: ts * 1000, state: "running" }],
      ["counts", { v: 1, ts: ts * 1000, mode: "cumulative", total: 120, reject: 3 }],
      ["vibration", { v: 1, ts: ts * 1000, sensor: "main", velocity_rms_mm_s: 2.5 }],
      ["metrics", { v: 1, ts: ts * 1000, metrics: [{ name: "oil_temp_c", value: 41.5 }] }],
    ]);
  });

  it("a counter older than its counterpart's last value: skipped in a birth or a replay (already stored), refused in data", () => {
    const ts = 1_700_000_000_000;
    const last = (n: string) => (n === "Good" ? { value: 140, tsMs: ts + 4000 } : undefined);
    const scrap = [{ name: "Scrap", value: 3, tsMs: ts }];
    expect(translateReadings(index, at, scrap, last, true)).toEqual({ messages: [], unmapped: [], refused: [], commandReports: [] });
    expect(translateReadings(index, at, scrap, last).refused).toEqual([
      `Scrap at ${new Date(ts).toISOString()} is older than the last value of Good (counts need both at one time)`,
    ]);
    expect(translateReadings(index, at, scrap, last, false, true)).toEqual({ messages: [], unmapped: [], refused: [], commandReports: [] });
  });

  it("a boolean state is running or stopped, a number a code; a value the channel refuses says why", () => {
    const ts = 1_700_000_000_000;
    const one = (name: string, value: string | number | boolean) => translateReadings(index, at, [{ name, value, tsMs: ts }], () => undefined);
    expect(one("Status", false).messages[0]?.telemetry.msg).toMatchObject({ state: "stopped" });
    expect(one("Status", 180000).messages[0]?.telemetry.msg).toMatchObject({ code: 180000 });
    expect(one("Status", "exploded").refused[0]).toMatch(/Status -> acme\/plant1\/a\/l\/press-7 state: .*unknown state/);
    expect(one("Oil Temp", "hot").refused[0]).toMatch(/Oil Temp -> metrics: not a number/);
  });

  it("finds the machines an edge node or one device feeds", () => {
    const two = indexMappings([map("Status", "state", ""), map("Status", "state", "", "oven", "acme/plant1/a/l/oven-1")]);
    expect(machinesOf(two, "plant", "gw1").map((p) => p.machine)).toEqual(["press-7", "oven-1"]);
    expect(machinesOf(two, "plant", "gw1", "oven").map((p) => p.machine)).toEqual(["oven-1"]);
  });
});

describe("Andon commands as Sparkplug commands", () => {
  it("writes the speed, the alarm code, or true; in a metric of the matching data type", () => {
    expect(commandValue({ speed_pct: 70 })).toBe(70);
    expect(commandValue({ alarm_code: "E42" })).toBe("E42");
    expect(commandValue({ reason: "guard door" })).toBe(true);
    const m = decode(commandPayload("Control/Speed", 70, 1_700_000_000_000)).metrics[0]!;
    expect([m.name, m.datatype, m.value]).toEqual(["Control/Speed", DataType.Double, { case: "doubleValue", value: 70 }]);
    expect(decode(commandPayload("Alarm/Ack", "E42", 0)).metrics[0]?.value).toEqual({ case: "stringValue", value: "E42" });
  });

  it("a command mapping names an Andon command type; reported command metrics are not data", () => {
    expect(mappingProblem(map("Control/Speed", "command" as SparkplugMapping["channel"], "warp_speed"))).toMatch(/a command field is one of/);
    const idx = indexMappings([map("Control/Speed", "command" as SparkplugMapping["channel"], "set_speed")]);
    const at = { group: "plant", edgeNode: "gw1", device: "press" };
    const r = [{ name: "Control/Speed", value: 70, tsMs: 1 }];
    expect(translateReadings(idx, at, r, () => undefined)).toEqual({
      messages: [],
      unmapped: [],
      refused: [],
      commandReports: [{ machine: "acme/plant1/a/l/press-7", type: "set_speed", value: 70 }],
    });
    expect(translateReadings(idx, at, r, () => undefined, true).commandReports).toEqual([]);
  });

  it("a report completes the in-flight command only when it is of its type and shows the value asked for", () => {
    const c = { id: "6f1c1b8e-4a8b-4f5e-9a57-0c5b7a1f2d3e", type: "set_speed", params: { speed_pct: 70 } };
    const report = { machine: "acme/plant1/a/l/press-7", type: "set_speed", value: 70 };
    expect(reportAnswer(c, report, 0)).toEqual({ v: 1, id: c.id, status: "completed", ts: "1970-01-01T00:00:00.000Z" });
    expect(reportAnswer(c, { ...report, value: 100 }, 0)).toBeUndefined();
    expect(reportAnswer(c, { ...report, type: "stop" }, 0)).toBeUndefined();
    expect(reportAnswer(undefined, report, 0)).toBeUndefined();
  });
});

// The plant view as the API sends it: each timeline segment an array [start, end, state, loss] (with
// the reason as a fifth element where one is given) instead of an object, which makes the answer
// about a third smaller and cheaper to serialize, compress and parse. Pure, also used in the browser.
import type { LossCategory } from "#lib/domain/oee/types.ts";
import { concatBytes } from "./json-bytes.ts";
import type { MachineView, PlantView, Segment } from "./plant.ts";

/** A segment on the wire: [start ms, end ms, state, loss] or [start ms, end ms, state, loss, reason]. */
export type WireSegment = [number, number, string, LossCategory] | [number, number, string, LossCategory, string];

export type WireMachine = Omit<MachineView, "timeline"> & { timeline: WireSegment[] };
export type WirePlantView = Omit<PlantView, "machines"> & { machines: WireMachine[] };

export function toWire(v: PlantView): WirePlantView {
  return {
    ...v,
    machines: v.machines.map((m) => ({
      ...m,
      timeline: m.timeline.map((s): WireSegment => (s.reason !== undefined ? [s.start, s.end, s.state, s.loss, s.reason] : [s.start, s.end, s.state, s.loss])),
    })),
  };
}

export function fromWire(v: WirePlantView): PlantView {
  return {
    ...v,
    machines: v.machines.map((m) => ({
      ...m,
      timeline: m.timeline.map(
        ([start, end, state, loss, reason]): Segment => (reason !== undefined ? { start, end, state, reason, loss } : { start, end, state, loss }),
      ),
    })),
  };
}

// each segment's wire JSON, made once: a kept timeline's segments are the same objects from one
// refresh to the next (./plant-timelines.ts), only its last one is new
const segmentTexts = new WeakMap<Segment, string>();

function segmentJson(s: Segment): string {
  let t = segmentTexts.get(s);
  if (t === undefined) {
    t = JSON.stringify(s.reason !== undefined ? [s.start, s.end, s.state, s.loss, s.reason] : [s.start, s.end, s.state, s.loss]);
    segmentTexts.set(s, t);
  }
  return t;
}

// timelines that have the same segments but the last (a kept timeline and its extension) share the
// text of those segments
const prefixTexts = new WeakMap<readonly Segment[], { text?: string; bytes?: Uint8Array<ArrayBuffer> }>();

/** Tells that `next` has the segments of `prev` (the same objects) but its last one. */
export function extendsTimeline(next: readonly Segment[], prev: readonly Segment[]): void {
  let shared = prefixTexts.get(prev);
  if (!shared) {
    shared = {};
    prefixTexts.set(prev, shared);
  }
  prefixTexts.set(next, shared);
}

/**
 * An object standing for the segments of `t` before its last one, the same for a kept timeline and
 * its extensions (what is made from those segments can be kept under it), or undefined.
 */
export function timelinePrefix(t: readonly Segment[]): object | undefined {
  return t.length < 2 ? undefined : prefixTexts.get(t);
}

function timelineJson(t: readonly Segment[]): string {
  const shared = prefixTexts.get(t);
  if (!shared || t.length < 2) return t.map(segmentJson).join(",");
  shared.text ??= t.slice(0, -1).map(segmentJson).join(",");
  return `${shared.text},${segmentJson(t.at(-1) as Segment)}`;
}

function machineJson(m: MachineView): string {
  const { timeline, ...rest } = m;
  return `${JSON.stringify(rest).slice(0, -1)},"timeline":[${timelineJson(timeline)}]}`;
}

const encoder = new TextEncoder();

/** machineJson(m) as parts: strings, and the UTF-8 bytes of a shared timeline text made once. */
function machineParts(m: MachineView, out: (string | Uint8Array<ArrayBuffer>)[]): void {
  const { timeline, ...rest } = m;
  const head = `${JSON.stringify(rest).slice(0, -1)},"timeline":[`;
  const shared = prefixTexts.get(timeline);
  if (!shared || timeline.length < 2) {
    out.push(`${head}${timeline.map(segmentJson).join(",")}]}`);
    return;
  }
  shared.text ??= timeline.slice(0, -1).map(segmentJson).join(",");
  shared.bytes ??= encoder.encode(shared.text);
  out.push(head, shared.bytes, `,${segmentJson(timeline.at(-1) as Segment)}]}`);
}

/**
 * JSON.stringify(toWire(v)), made from each segment's text where it was made before (segments are
 * not changed once made).
 */
export function plantJson(v: PlantView): string {
  const head = JSON.stringify({ site: v.site, shift: v.shift, now: v.now, lines: v.lines });
  const tail = JSON.stringify({ losses: v.losses, reasons: v.reasons, knownReasons: v.knownReasons });
  return `${head.slice(0, -1)},"machines":[${v.machines.map(machineJson).join(",")}],${tail.slice(1)}`;
}

/** plantJson(v) in UTF-8, the shared timeline texts from their bytes made once. */
export function plantBytes(v: PlantView): Uint8Array<ArrayBuffer> {
  const parts: (string | Uint8Array<ArrayBuffer>)[] = [
    `${JSON.stringify({ site: v.site, shift: v.shift, now: v.now, lines: v.lines }).slice(0, -1)},"machines":[`,
  ];
  v.machines.forEach((m, i) => {
    if (i > 0) parts.push(",");
    machineParts(m, parts);
  });
  parts.push(`],${JSON.stringify({ losses: v.losses, reasons: v.reasons, knownReasons: v.knownReasons }).slice(1)}`);
  return concatBytes(parts);
}

// The Sparkplug B host application's view of each edge node (Sparkplug 3.0): its birth certificate
// (metric names, aliases, data types and last values, per node and per device), its bdSeq and its sequence
// number. Births rebuild the alias tables; data is resolved through them; a gap in the sequence, data before
// a birth or an unknown alias asks for a rebirth; an NDEATH whose bdSeq matches the birth ends the node.
// Pure: held in memory, no I/O (the worker publishes the rebirth requests it returns).
import { aliasOf, type MetricValue, metricTimestampMs, metricValue, nameOf, type Payload, type SparkplugTopic } from "#lib/contract/sparkplug.ts";

export interface MetricDef {
  datatype: number;
  /** The last value the node reported (birth or data): report by exception means a data message holds only changes. */
  value?: MetricValue;
  /** When that value was measured (epoch ms). */
  tsMs?: number;
}

interface Certificate {
  aliases: Map<bigint, string>;
  metrics: Map<string, MetricDef>;
}

interface NodeSession {
  bdSeq?: bigint;
  seq: number;
  node: Certificate;
  devices: Map<string, Certificate>;
  /** Set when a rebirth was asked for and not answered yet (so one gap asks once, not once per message). */
  rebirthAskedAtMs?: number;
  /** Restored from a checkpoint: the next message's seq is the new baseline, not a gap. */
  resumed?: boolean;
  /**
   * Restored: the seq of the message that follows the checkpoint. Until it arrives, the broker is redelivering
   * messages the checkpoint already holds (their rows are durable): replays (seq wraps at 256, so a longer
   * redelivery ends this early, and a replayed split counter is then dead-lettered again as older).
   */
  replayUntil?: number;
}

/** A session as plain JSON (a checkpoint: lib/features/ingest/sparkplug-checkpoint.ts). */
export interface NodeSnapshot {
  bdSeq?: string;
  seq: number;
  node: CertificateSnapshot;
  devices: [device: string, CertificateSnapshot][];
}
interface CertificateSnapshot {
  aliases: [alias: string, name: string][];
  metrics: [name: string, datatype: number, value?: MetricValue, tsMs?: number][];
}
const certOut = (c: Certificate): CertificateSnapshot => ({
  aliases: [...c.aliases].map(([a, n]) => [String(a), n]),
  metrics: [...c.metrics].map(([n, d]) => (d.tsMs !== undefined && d.value !== undefined ? [n, d.datatype, d.value, d.tsMs] : [n, d.datatype])),
});
const certIn = (c: CertificateSnapshot): Certificate => ({
  aliases: new Map(c.aliases.map(([a, n]) => [BigInt(a), n])),
  metrics: new Map(c.metrics.map(([n, datatype, value, tsMs]) => [n, { datatype, ...(tsMs !== undefined ? { value: value ?? null, tsMs } : {}) }])),
});

export interface LastValue {
  value: MetricValue;
  tsMs: number;
}

export interface Reading {
  name: string;
  value: MetricValue;
  tsMs: number;
}

export type HostEvent =
  | {
      kind: "values";
      device?: string;
      birth: boolean;
      readings: Reading[];
      /** The metric's last known value (for counters split over two metrics, e.g. good and reject). */
      last: (name: string) => LastValue | undefined;
      /** Metrics of this message that could not be read (unknown alias, unsupported value), with the reason. */
      problems: string[];
      /** Set when this message shows the host missed something: ask the edge node for a rebirth. */
      rebirth?: string;
      /** A message the resumed session's checkpoint already holds, redelivered (its rows are stored). */
      replay?: boolean;
    }
  | { kind: "death"; device?: string }
  | { kind: "ignored"; reason: string; rebirth?: string };

/** How long a rebirth request stays unanswered before another message of the node may ask again. */
export const REBIRTH_RETRY_MS = 10_000;

const nodeKey = (t: SparkplugTopic) => `${t.group}/${t.edgeNode}`;
const emptyCert = (): Certificate => ({ aliases: new Map(), metrics: new Map() });

export class SparkplugHost {
  private readonly nodes = new Map<string, NodeSession>();
  /** Edge nodes whose session changed since the last takeChanged(). */
  private readonly changed = new Set<string>();

  /** The edge nodes (group/edge node) whose session changed since the last call, with it (undefined: the node died). */
  takeChanged(): [node: string, session: NodeSnapshot | undefined][] {
    const out = [...this.changed].map((k): [string, NodeSnapshot | undefined] => [k, this.snapshot(k)]);
    this.changed.clear();
    return out;
  }

  snapshot(key: string): NodeSnapshot | undefined {
    const s = this.nodes.get(key);
    if (!s) return undefined;
    return {
      ...(s.bdSeq !== undefined ? { bdSeq: String(s.bdSeq) } : {}),
      seq: s.seq,
      node: certOut(s.node),
      devices: [...s.devices].map(([d, c]) => [d, certOut(c)]),
    };
  }

  /** Goes back to these sessions (the latest durable checkpoint): every other edge node is forgotten. */
  rewind(to: ReadonlyMap<string, NodeSnapshot | undefined>): void {
    for (const key of [...this.nodes.keys()]) if (!to.get(key)) this.nodes.delete(key);
    for (const [key, snap] of to) if (snap) this.restore(key, snap);
    this.changed.clear(); // what they are now is what is durable
  }

  /** Resumes an edge node's session from a checkpoint (a restarted worker, before any message arrives). */
  restore(key: string, snap: NodeSnapshot): void {
    this.nodes.set(key, {
      ...(snap.bdSeq !== undefined ? { bdSeq: BigInt(snap.bdSeq) } : {}),
      seq: snap.seq,
      node: certIn(snap.node),
      devices: new Map(snap.devices.map(([d, c]) => [d, certIn(c)])),
      resumed: true,
      replayUntil: (snap.seq + 1) % 256,
    });
  }

  /** The edge nodes that are online (born and not dead), as group/edge node. */
  get online(): string[] {
    return [...this.nodes.keys()];
  }

  receive(t: SparkplugTopic, p: Payload, nowMs: number): HostEvent {
    const key = nodeKey(t);
    const payloadTs = p.timestamp > 0n ? Number(p.timestamp) : nowMs;
    if (t.type === "NCMD" || t.type === "DCMD") return { kind: "ignored", reason: `Sparkplug ${t.type} (a command to an edge node, not data)` };
    this.changed.add(key);
    if (t.type === "NBIRTH") {
      const bd = p.metrics.find((m) => nameOf(m) === "bdSeq");
      const session: NodeSession = { seq: Number(p.seq), node: emptyCert(), devices: new Map() };
      if (bd && (bd.value.case === "longValue" || bd.value.case === "intValue")) session.bdSeq = BigInt(bd.value.value);
      this.nodes.set(key, session);
      this.unbornAsked.delete(key);
      return this.values(session.node, p, payloadTs, true, undefined);
    }
    if (t.type === "NDEATH") {
      const session = this.nodes.get(key);
      const bd = p.metrics.find((m) => nameOf(m) === "bdSeq");
      const bdSeq = bd && (bd.value.case === "longValue" || bd.value.case === "intValue") ? BigInt(bd.value.value) : undefined;
      if (!session) return { kind: "ignored", reason: "Sparkplug NDEATH of an edge node that is not online" };
      // a will left by an earlier connection arrives after the new birth: it must not end the new session
      if (session.bdSeq !== undefined && bdSeq !== undefined && bdSeq !== session.bdSeq) {
        return { kind: "ignored", reason: `Sparkplug NDEATH with bdSeq ${bdSeq} of an earlier session (the current birth has ${session.bdSeq})` };
      }
      this.nodes.delete(key);
      return { kind: "death" };
    }
    const session = this.nodes.get(key);
    if (!session) {
      const reason = `Sparkplug ${t.type} before the edge node's NBIRTH`;
      return { kind: "ignored", reason, ...this.askRebirth(key, undefined, nowMs, reason) };
    }
    const expected = (session.seq + 1) % 256;
    const seq = Number(p.seq);
    session.seq = seq;
    // after a restart the checkpoint may be a few messages ahead of what the broker redelivers: no gap to ask about
    const gap = seq === expected || session.resumed ? undefined : `Sparkplug sequence gap: ${t.type} has seq ${seq}, expected ${expected}`;
    session.resumed = false;
    if (seq === session.replayUntil || gap) session.replayUntil = undefined; // caught up, or not an in-order redelivery
    const replay = session.replayUntil !== undefined ? { replay: true } : {};
    const rebirth = gap ? this.askRebirth(key, session, nowMs, gap) : {};
    const device = t.device ?? "";
    if (t.type === "DBIRTH") {
      const cert = emptyCert();
      session.devices.set(device, cert);
      return { ...this.values(cert, p, payloadTs, true, device), ...rebirth };
    }
    if (t.type === "DDEATH") {
      session.devices.delete(device);
      return { kind: "death", device };
    }
    const cert = t.type === "NDATA" ? session.node : session.devices.get(device);
    if (!cert) {
      const reason = `Sparkplug DDATA of device ${device} before its DBIRTH`;
      return { kind: "ignored", reason, ...this.askRebirth(key, session, nowMs, reason) };
    }
    const event = { ...this.values(cert, p, payloadTs, false, t.device), ...replay };
    if (!event.rebirth && event.kind === "values" && event.problems.some((x) => x.includes("unknown alias"))) {
      return { ...event, ...this.askRebirth(key, session, nowMs, "Sparkplug data with an unknown alias") };
    }
    return { ...event, ...rebirth };
  }

  /** A rebirth request, unless one is outstanding for this node (asked less than REBIRTH_RETRY_MS ago). */
  private askRebirth(key: string, session: NodeSession | undefined, nowMs: number, reason: string): { rebirth?: string } {
    const asked = session ? session.rebirthAskedAtMs : this.unbornAsked.get(key);
    if (asked !== undefined && nowMs - asked < REBIRTH_RETRY_MS) return {};
    if (session) session.rebirthAskedAtMs = nowMs;
    else this.unbornAsked.set(key, nowMs);
    return { rebirth: reason };
  }
  private readonly unbornAsked = new Map<string, number>();

  private values(cert: Certificate, p: Payload, payloadTs: number, birth: boolean, device: string | undefined): HostEvent & { kind: "values" } {
    const readings: Reading[] = [];
    const problems: string[] = [];
    for (const m of p.metrics) {
      const alias = aliasOf(m);
      let name = nameOf(m);
      if (birth) {
        if (name === undefined) {
          problems.push(`birth metric without a name${alias !== undefined ? ` (alias ${alias})` : ""}`);
          continue;
        }
        if (alias !== undefined) cert.aliases.set(alias, name);
        cert.metrics.set(name, { datatype: m.datatype });
      } else if (name === undefined) {
        name = alias !== undefined ? cert.aliases.get(alias) : undefined;
        if (name === undefined) {
          problems.push(alias !== undefined ? `unknown alias ${alias}` : "metric without a name or an alias");
          continue;
        }
      }
      const def = cert.metrics.get(name);
      if (!def) {
        problems.push(`metric ${name} is not in the birth certificate`);
        continue;
      }
      const v = metricValue(m, m.datatype || def.datatype);
      if (!v.ok) {
        problems.push(`${name}: ${v.reason}`);
        continue;
      }
      const ts = metricTimestampMs(m);
      const tsMs = ts !== undefined && ts > 0n ? Number(ts) : payloadTs;
      if (def.tsMs === undefined || tsMs >= def.tsMs) Object.assign(def, { value: v.value, tsMs });
      readings.push({ name, value: v.value, tsMs });
    }
    return {
      kind: "values",
      ...(device !== undefined ? { device } : {}),
      birth,
      readings,
      problems,
      last: (n) => {
        const d = cert.metrics.get(n);
        return d?.tsMs !== undefined && d.value !== undefined ? { value: d.value, tsMs: d.tsMs } : undefined;
      },
    };
  }
}

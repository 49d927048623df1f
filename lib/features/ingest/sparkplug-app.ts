// The ingest worker as a Sparkplug B host application (Sparkplug 3.0): its subscriptions (one per group,
// not shared: the host must see every message of an edge node to follow its sequence), its STATE message
// and will, the mapping it refreshes from PostgreSQL, and the rebirth requests it publishes.
import type { MqttClient } from "mqtt";
import type { Logger } from "pino";
import type { Row } from "#lib/adapters/questdb/rows.ts";
import type { StoredSession } from "#lib/adapters/questdb/sparkplug-sessions.ts";
import { asMachineKey } from "#lib/contract/identity.ts";
import { sparkplugGroupFilter, sparkplugStateTopic } from "#lib/contract/sparkplug.ts";
import { responseTopic } from "#lib/contract/topics.ts";
import type { Config } from "#lib/platform/config.ts";
import type { MappingContext } from "./mapping.ts";
import { checkpointRows, restoreSessions } from "./sparkplug-checkpoint.ts";
import { type InFlightCommand, reportAnswer } from "./sparkplug-commands.ts";
import { mapSparkplug, type SparkplugOutcome } from "./sparkplug-ingest.ts";
import { indexMappings, mappingProblem, type StoredMapping } from "./sparkplug-mapping.ts";
import { type NodeSnapshot, SparkplugHost } from "./sparkplug-session.ts";

export interface SparkplugApp {
  filters: string[];
  /** The MQTT will: STATE offline, retained, with the timestamp of the online message. */
  will: { topic: string; payload: Buffer; qos: 1; retain: true };
  /** After each connect and subscribe: STATE online, retained (with the timestamp of the will sent at that connect). */
  announce(client: MqttClient): void;
  /** Before the client connects again: a new timestamp for the will and the next online message. */
  renew(client: MqttClient): void;
  /** A graceful stop sends no will: STATE offline, retained, before disconnecting. */
  retire(client: MqttClient): Promise<void>;
  refresh(): Promise<void>;
  /** Before connecting: resume the edge nodes' sessions from their latest checkpoints (./sparkplug-checkpoint.ts). */
  restore(): Promise<void>;
  /** The checkpoint rows of the sessions changed since the last call: written with the batch being cut. */
  checkpoint(): Row[];
  /** Those rows are durable: the sessions to go back to on a resumed connection. */
  durable(rows: Row[]): void;
  /** The connection resumed the broker session: back to the durable sessions before it redelivers (./sparkplug-checkpoint.ts). */
  rewind(): void;
  handle(topic: string, payload: Uint8Array, ctx: MappingContext, client: MqttClient): SparkplugOutcome;
}

export function sparkplugApp(
  cfg: Config,
  log: Logger,
  loadMappings: () => Promise<StoredMapping[]>,
  inFlight: (machine: string) => Promise<InFlightCommand | undefined> = async () => undefined,
  loadSessions: (hostId: string) => Promise<StoredSession[]> = async () => [],
): SparkplugApp {
  const host = new SparkplugHost();
  const clock = { lastMicros: 0 };
  const durable = new Map<string, NodeSnapshot | undefined>();
  const cuts = new WeakMap<Row[], [string, NodeSnapshot | undefined][]>();
  let index = indexMappings([]);
  // Sparkplug 3.0: the will and the online message of one connection carry the same timestamp, new per connection
  let born = Date.now();
  const state = (online: boolean) => Buffer.from(JSON.stringify({ online, timestamp: born }));
  const stateTopic = sparkplugStateTopic(cfg.INGEST_SPARKPLUG_HOST_ID);
  return {
    filters: cfg.INGEST_SPARKPLUG_GROUPS.map(sparkplugGroupFilter),
    will: { topic: stateTopic, payload: state(false), qos: 1, retain: true },
    announce(client) {
      client.publish(stateTopic, state(true), { qos: 1, retain: true }, (err) => {
        if (err) log.error({ err: err.message }, "Sparkplug STATE publish failed");
      });
    },
    renew(client) {
      born = Date.now();
      if (client.options.will) client.options.will.payload = state(false);
    },
    async retire(client) {
      if (!client.connected) return;
      await client
        .publishAsync(stateTopic, state(false), { qos: 1, retain: true })
        .catch((e: Error) => log.warn({ err: e.message }, "Sparkplug STATE offline not published"));
    },
    async restore() {
      const r = restoreSessions(host, await loadSessions(cfg.INGEST_SPARKPLUG_HOST_ID), durable, clock);
      if (r.unreadable.length) log.warn({ edgeNodes: r.unreadable }, "Sparkplug checkpoints unreadable: these edge nodes are asked for a rebirth");
      log.info({ edgeNodes: r.restored }, "Sparkplug sessions resumed from their checkpoints");
    },
    checkpoint() {
      const changed = host.takeChanged();
      const rows = checkpointRows(changed, cfg.INGEST_SPARKPLUG_HOST_ID, clock, Date.now() * 1000);
      cuts.set(rows, changed);
      return rows;
    },
    durable(rows) {
      for (const [node, snap] of cuts.get(rows) ?? []) durable.set(node, snap);
    },
    rewind: () => host.rewind(durable),
    async refresh() {
      const all = await loadMappings();
      for (const m of all) {
        const problem = mappingProblem(m);
        if (problem) log.warn({ group: m.group, edgeNode: m.edgeNode, device: m.device, metric: m.metric, problem }, "Sparkplug mapping ignored");
      }
      index = indexMappings(all);
    },
    handle(topic, payload, ctx, client) {
      const out = mapSparkplug(topic, payload, host, index, ctx);
      if (out.rebirth) {
        log.warn({ topic: out.rebirth.topic, reason: out.rebirth.reason }, "Sparkplug rebirth requested");
        client.publish(out.rebirth.topic, Buffer.from(out.rebirth.payload), { qos: 0 });
      }
      for (const report of out.commandReports ?? []) {
        // best effort: an answer not sent leaves the command to expire, as a machine that never answered
        inFlight(report.machine)
          .then((c) => {
            const answer = reportAnswer(c, report, Date.now());
            if (!answer) return;
            log.info({ machine: report.machine, command: answer.id }, "Sparkplug device reported the commanded value: command completed");
            const props = { correlationData: Buffer.from(answer.id, "utf8"), contentType: "application/json" };
            return client.publishAsync(responseTopic(asMachineKey(report.machine)), JSON.stringify(answer), { qos: 1, properties: props });
          })
          .catch((e: Error) => log.warn({ machine: report.machine, err: e.message }, "Sparkplug command answer not sent"));
      }
      return out;
    },
  };
}

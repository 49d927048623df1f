// Where this server process learns of changes, without polling, for its live streams
// (./event-stream.ts): one MQTT subscription (the dashboard's own broker account) to every site's
// alerts and every machine's state channel, and one PostgreSQL LISTEN for command status changes
// (NOTIFY sent on commit by whoever wrote them: lib/adapters/db/command-status.ts). Each is opened
// when the first stream needs it and fanned out to every open stream; kept on globalThis so Next.js
// dev reloads do not open more.
import mqtt, { type MqttClient } from "mqtt";
import { type CommandStatusListener, type CommandStatusNote, listenCommandStatus } from "#lib/adapters/db/command-status.ts";
import { mqttOptions } from "#lib/adapters/mqtt/options.ts";
import { alertsFilter, parseTelemetryTopic, siteOfAlertsTopic, stateFilter } from "#lib/contract/topics.ts";
import { config } from "#lib/platform/config.ts";
import { withTimeout } from "#lib/platform/timeout.ts";

type AlertListener = (siteKey: string, payload: string) => void;
type StateListener = (machineKey: string, payload: string) => void;
/** A command's new status, or undefined after a reconnection (changes may have been missed: read afresh). */
type CommandListener = (note: CommandStatusNote | undefined) => void;

interface Live {
  mqtt?: MqttClient;
  /** resolves once the broker has acknowledged the first subscription */
  subscribed?: Promise<void>;
  alerts: Set<AlertListener>;
  states: Set<StateListener>;
  pg?: CommandStatusListener;
  /** resolves once the first LISTEN is in place */
  listening?: Promise<void>;
  commands: Set<CommandListener>;
}

const g = globalThis as unknown as { __andonLive?: Live };
const live = (): Live => {
  g.__andonLive ??= { alerts: new Set(), states: new Set(), commands: new Set() };
  return g.__andonLive;
};

/**
 * The process's MQTT subscriber. It reconnects by itself and subscribes again on every connection (a
 * restarted broker has forgotten the clean session); a broker down when the first stream opens is
 * found once it is up. Alerts at QoS 1; states at QoS 0 (a lost one is corrected by the next view).
 */
function subscriber(): Promise<void> {
  const l = live();
  if (l.mqtt && l.subscribed) return l.subscribed;
  let subscribed = () => {};
  l.subscribed = new Promise<void>((r) => {
    subscribed = r;
  });
  const cfg = config();
  const client = mqtt.connect(
    cfg.MQTT_URL,
    mqttOptions(cfg, { clientId: `andon-web-live-${process.pid}`, clean: true, reconnectPeriod: 1000, resubscribe: false }),
  );
  l.mqtt = client;
  client.on("error", () => undefined); // retried by the reconnect
  client.on("connect", () => {
    // (a broker whose ACL predates the state grant refuses that filter alone: alerts still flow, and
    // the plant board keeps its view pushes; regenerate the broker configuration, docs/dashboard.md)
    void client
      .subscribeAsync({ [alertsFilter()]: { qos: 1 }, [stateFilter()]: { qos: 0 } })
      .then(() => subscribed())
      .catch(() => client.stream.destroy());
  });
  client.on("message", (topic, payload) => {
    const site = siteOfAlertsTopic(topic);
    if (site) {
      for (const f of l.alerts) f(site, payload.toString());
      return;
    }
    const t = parseTelemetryTopic(topic);
    if (t.ok && t.channel === "state") {
      const key = topic.slice(0, topic.lastIndexOf("/"));
      for (const f of l.states) f(key, payload.toString());
    }
  });
  return l.subscribed;
}

function add<T>(set: Set<T>, listener: T): () => void {
  set.add(listener);
  return () => set.delete(listener);
}

/**
 * Waits until the source is in place, so that a stream reports itself ready (./event-stream.ts) only
 * once nothing published from then on can be missed; at most WEB_IO_TIMEOUT_MS (a broker or database
 * that is away: the stream opens anyway and its events flow once the source is back).
 */
const settled = (p: Promise<void>) => withTimeout(p, config().WEB_IO_TIMEOUT_MS, "a live source").catch(() => undefined);

/** Live alert changes (site key, the MQTT alert message). Returns a function that removes the listener. */
export async function onAlertChange(listener: AlertListener): Promise<() => void> {
  const remove = add(live().alerts, listener);
  await settled(subscriber());
  return remove;
}

/** Live state messages of every machine (machine key, the raw MQTT payload, not yet validated). */
export async function onStateChange(listener: StateListener): Promise<() => void> {
  const remove = add(live().states, listener);
  await settled(subscriber());
  return remove;
}

/** Live command status changes, from PostgreSQL's NOTIFY. */
export async function onCommandStatus(listener: CommandListener): Promise<() => void> {
  const l = live();
  const remove = add(l.commands, listener);
  if (!l.pg) {
    let first = true;
    let listening = () => {};
    l.listening = new Promise<void>((r) => {
      listening = r;
    });
    l.pg = listenCommandStatus(config().DATABASE_URL, {
      onNote: (n) => {
        for (const f of l.commands) f(n);
      },
      onConnect: () => {
        if (!first) for (const f of l.commands) f(undefined);
        first = false;
        listening();
      },
    });
  }
  await settled(l.listening ?? Promise.resolve());
  return remove;
}

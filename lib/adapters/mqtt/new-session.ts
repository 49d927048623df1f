// A new persistent session is connected once more after its first SUBACK, so that its subscriptions
// exist before the connection the worker keeps begins.
//
// Why: HiveMQ CE (2025.5, the newest on Maven Central) races a new connection against its first
// SUBSCRIBE. On CONNACK it polls the session's queues; that poll asks which shared subscriptions the
// client has, and if it asks before the SUBSCRIBE is stored it marks the connection "has no shared
// subscription" (ClientConnection.noSharedSubscription) and caches the empty answer. The SUBSCRIBE
// clears the mark, but the poll can set it after. From then on the connection is polled for its shared
// subscriptions only when a message arrives while it has nothing in flight: a worker that acknowledges
// once rows are durable gets a batch or two, then nothing while the backlog waits (hivemq-community-
// edition#558; #199 fixed an earlier form of the race). 16 of 46 fresh connections with the worker's
// options stalled so; the mark was set in each stall probed and in no run that finished (docs/deployment.md,
// "Brokers"). A connection to a session that already holds its subscriptions is never marked.
//
// Mosquitto has no such race; there it costs one more connection when a session is new (the first
// start, or a broker that lost its sessions). Messages received on the first connection are not
// acknowledged there: the resumed session redelivers them, and DEDUP makes a second write a no-op.
import type { MqttClient } from "mqtt";

/**
 * Ends the connection gracefully (DISCONNECT 0: no will, outgoing messages finished first) and connects
 * again with the same options (clean start false: the session and its subscriptions are kept).
 */
export function reconnectSession(client: MqttClient, isStopped: () => boolean): void {
  client.end(false, { reasonCode: 0 }, () => {
    if (!isStopped()) client.reconnect();
  });
}

/**
 * Per worker: called on each SUBACK with the CONNACK's sessionPresent; true when this was a new session
 * and it is being connected once more (wait for the next SUBACK), false when the subscriptions are in
 * place. Once in a row at most: a broker that does not keep the session is warned about and used as is.
 */
export function onceMoreForNewSession(client: MqttClient, isStopped: () => boolean, log: { info(m: string): void; warn(m: string): void }) {
  let again = false;
  return (sessionPresent: boolean): boolean => {
    if (!sessionPresent && !again) {
      log.info("new session subscribed; connecting to it again");
      again = true;
      reconnectSession(client, isStopped);
      return true;
    }
    if (again && !sessionPresent) log.warn("the broker did not keep the new session; going on without it");
    again = false;
    return false;
  };
}

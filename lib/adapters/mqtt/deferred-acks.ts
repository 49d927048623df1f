// Deferred PUBACKs for mqtt.js.
//
// mqtt.js sends the PUBACK of a QoS 1 message as soon as its handler returns, and its hooks for
// delaying it (customHandleAcks, handleMessage) also stop it from reading the next packet, i.e.
// one message in flight at a time. We need many messages in flight and each PUBACK sent only once
// its rows are durable. So we take over the PUBACK packets of this one client: the library's own
// PUBACK is swallowed (its callback runs at once so its packet pipeline moves on), and `ack()` sends
// the real one later. Packet ids belong to one connection: acks pending when the connection drops
// are discarded, the broker redelivers those messages on the resumed session, and DEDUP makes the
// second write a no-op. Pinned to the mqtt.js version in package.json; test/integration covers it.
import type { IPublishPacket, MqttClient, Packet } from "mqtt";

type SendPacket = (packet: Packet, cb?: (err?: Error) => void, cbStorePut?: () => void) => void;

export interface DeferredAcks {
  /** A function that acknowledges this message on the connection it arrived on (no-op after a reconnect). */
  ackerFor(packet: IPublishPacket): () => void;
  /** The connection messages arrive on now (a number that grows with every reconnect). */
  readonly connection: number;
  /** PUBACKs held right now. */
  readonly held: number;
  /** Runs `sendAll` with the socket corked, so many PUBACKs go out in one write. */
  batch(sendAll: () => void): void;
}

export function deferPubacks(client: MqttClient): DeferredAcks {
  const c = client as unknown as { _sendPacket: SendPacket };
  const original = c._sendPacket.bind(client);
  let generation = 0;
  const held = new Set<number>();

  c._sendPacket = (packet, cb, cbStorePut) => {
    if (packet.cmd === "puback") {
      // Swallow the automatic PUBACK; the real one is sent by ack().
      cb?.();
      return;
    }
    original(packet, cb, cbStorePut);
  };
  client.on("close", () => {
    generation++;
    held.clear();
  });

  return {
    ackerFor(packet) {
      const gen = generation;
      const id = packet.messageId;
      if (packet.qos === 0 || id === undefined) return () => undefined;
      held.add(id);
      return () => {
        if (gen !== generation || !client.connected) return;
        held.delete(id);
        original({ cmd: "puback", messageId: id, reasonCode: 0 } as Packet);
      };
    },
    get held() {
      return held.size;
    },
    get connection() {
      return generation;
    },
    batch(sendAll) {
      const stream = (client as unknown as { stream?: { cork?: () => void; uncork?: () => void } }).stream;
      stream?.cork?.();
      try {
        sendAll();
      } finally {
        stream?.uncork?.();
      }
    },
  };
}

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
// The PUBACKs of one batch leave as one buffer written to the socket (4 bytes each: MQTT 5 allows
// leaving out reason code 0 and empty properties); through mqtt.js each one was three stream writes,
// about a tenth of the ingest worker's CPU.
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
  // packet ids whose PUBACK is held (ids are 16 bits): no Set to grow and rehash per message
  const held = new Uint8Array(65536);
  let heldCount = 0;
  /** While batch() runs: the ids to acknowledge in one write. */
  let queued: number[] | undefined;
  const stream = () => (client as unknown as { stream?: { write(b: Uint8Array): boolean; cork?: () => void; uncork?: () => void } }).stream;
  const send = (ids: readonly number[]) => {
    const out = Buffer.allocUnsafe(4 * ids.length);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      out[4 * i] = 0x40; // PUBACK
      out[4 * i + 1] = 2; // remaining length: the packet id only (reason code 0, no properties)
      out[4 * i + 2] = id >> 8;
      out[4 * i + 3] = id & 0xff;
    }
    stream()?.write(out);
  };

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
    held.fill(0);
    heldCount = 0;
  });

  return {
    ackerFor(packet) {
      const gen = generation;
      const id = packet.messageId;
      if (packet.qos === 0 || id === undefined) return () => undefined;
      if (!held[id]) heldCount++;
      held[id] = 1;
      return () => {
        if (gen !== generation || !client.connected || !held[id]) return;
        held[id] = 0;
        heldCount--;
        if (queued) queued.push(id);
        else send([id]);
      };
    },
    get held() {
      return heldCount;
    },
    get connection() {
      return generation;
    },
    batch(sendAll) {
      if (queued) return sendAll();
      queued = [];
      try {
        sendAll();
      } finally {
        const ids = queued;
        queued = undefined;
        if (ids.length) send(ids);
      }
    },
  };
}

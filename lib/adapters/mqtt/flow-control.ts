// Worker-side flow control for mqtt.js: stop reading PUBLISH packets while the worker holds as many
// unacknowledged messages as it may.
//
// MQTT 5's receive maximum should make this the broker's job, but Mosquitto 2.0 breaks it: on a PUBACK
// it moves queued messages into flight until "the acknowledged message's position in the in-flight
// list" reaches the maximum, not until the list's length does (src/database.c,
// db__message_delete_outgoing). Acknowledging the oldest message while a backlog waits sends up to a
// whole receive maximum more (the outage test saw 1,999 messages held with a maximum of 1,000).
//
// mqtt.js hands every PUBLISH to `handleMessage(packet, done)` after emitting it and reads the next
// packet only after `done`; holding `done` while full stops the parser, the socket is read no further,
// and TCP pushes the rest back into the broker, where a backlog belongs.
import type { IPublishPacket, MqttClient } from "mqtt";

export interface FlowControl {
  /** Call when the worker holds fewer messages: reading resumes if it is no longer full. */
  release(): void;
  /** True while reading is held. */
  readonly holding: boolean;
}

export function holdWhileFull(client: MqttClient, full: () => boolean): FlowControl {
  let waiting: (() => void) | undefined;
  const resume = () => {
    const done = waiting;
    waiting = undefined;
    done?.();
  };
  client.handleMessage = (_packet: IPublishPacket, done: (err?: Error) => void) => {
    if (full()) waiting = () => done();
    else done();
  };
  // a closed connection's parser is gone; let it finish (the messages it held are redelivered)
  client.on("close", resume);
  return {
    release() {
      if (waiting && !full()) resume();
    },
    get holding() {
      return waiting !== undefined;
    },
  };
}

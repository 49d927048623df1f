// Size limits of the MQTT contract, shared by the brokers Andon generates and the clients it runs.

/**
 * The largest MQTT packet a publisher may send (Mosquitto's `max_packet_size` in every generated
 * broker configuration). The largest valid message, a waveform of 65,536 samples, is about 1.3 MB of
 * JSON; anything larger is refused by the broker with the connection, before it reaches Andon.
 */
export const MQTT_MAX_PACKET_BYTES = 4 * 1024 * 1024;

/**
 * What the ingest worker accepts beyond MQTT_MAX_PACKET_BYTES: a broker forwarding a message adds
 * properties (subscription identifier, a longer topic after a bridge's remapping). A broker must drop,
 * not deliver, a packet above the subscriber's maximum packet size (MQTT 5, 3.1.2.11.4), so a message
 * the broker took must never be above ours.
 */
export const MQTT_FORWARD_HEADROOM_BYTES = 64 * 1024;

// A third-party Sparkplug B edge node for the tests: the npm `sparkplug-client` (Eclipse Tahu's JavaScript
// client) on the test broker, edge node gw1 of `group`. The test broker takes any account; the client
// insists on one, so it gets a name and a random password.
import { randomBytes } from "node:crypto";
import { newClient } from "sparkplug-client";

export const sparkplugEdge = (mqttUrl: string, name: string, group: string, publishDeath = false) =>
  newClient({
    serverUrl: mqttUrl,
    username: `edge-${name}`,
    password: randomBytes(12).toString("hex"),
    groupId: group,
    edgeNode: "gw1",
    clientId: `edge-${name}`,
    publishDeath,
  });

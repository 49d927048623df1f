// Sites whose factory broker's bridge says it is cut off from this (central) broker: a command sent
// now would be dropped (docs/deployment.md), so their commands wait in the queue until the link is
// back or they expire. Sites without a bridge (one broker for everything) never appear here.
import type { Logger } from "pino";
import type { InboundMessage } from "#lib/adapters/mqtt/command-session.ts";
import { siteOfBridgeStateTopic } from "#lib/contract/topics.ts";
import { isLinkUp } from "#lib/domain/commands/dispatch.ts";

export interface SiteLinks {
  /** sites whose link is down: their commands are held */
  readonly down: ReadonlySet<string>;
  /** Applies a bridge-state message; false when the message is not one. */
  onMessage(m: InboundMessage): boolean;
}

/** `onUp` runs when a site's link comes back: its held commands can go. */
export function siteLinks(log: Logger, onUp: () => void): SiteLinks {
  const down = new Set<string>();
  return {
    down,
    onMessage(m) {
      const site = siteOfBridgeStateTopic(m.topic);
      if (!site) return false;
      const up = isLinkUp(m.payload.toString("utf8"));
      if (up === !down.has(site)) return true;
      if (up) down.delete(site);
      else down.add(site);
      log.info({ site, link: up ? "up" : "down" }, up ? "site link back: sending its queued commands" : "site link down: holding its commands in the queue");
      if (up) onUp();
      return true;
    },
  };
}

"use client";

// One server-sent event stream for a page, shared by its widgets: the handlers get each event's data.
// The browser's EventSource reconnects by itself after a dropped connection or an `end` (the server
// checks the credential again then); a stream refused outright (signed out: 401) is tried again every
// 30 s. Returns whether the stream is ready (open, its server-side sources in place): while it is
// not, the page polls as it used to.
import { useEffect, useRef, useState } from "react";

const REOPEN_MS = 30_000;

export function useEventStream(url: string, handlers: Record<string, (data: string) => void>): boolean {
  const [live, setLive] = useState(false);
  // the latest handlers, without reopening the stream when they change
  const current = useRef(handlers);
  current.current = handlers;
  const events = Object.keys(handlers).sort().join(",");

  useEffect(() => {
    let es: EventSource | undefined;
    let reopen: ReturnType<typeof setTimeout> | undefined;
    let gone = false;
    const open = () => {
      es = new EventSource(url);
      es.onerror = () => {
        setLive(false);
        // CLOSED: refused (an error status); CONNECTING: the browser retries by itself
        if (es?.readyState === EventSource.CLOSED && !gone) reopen = setTimeout(open, REOPEN_MS);
      };
      for (const name of events.split(",")) {
        if (name) es.addEventListener(name, (e) => current.current[name]?.((e as MessageEvent<string>).data));
      }
      // the server's sources are in place: from now on nothing is missed
      es.addEventListener("ready", () => setLive(true));
      // the server ended it (sign-out, revoked, site taken away): not live until the browser is let in again
      es.addEventListener("end", () => setLive(false));
    };
    open();
    return () => {
      gone = true;
      if (reopen) clearTimeout(reopen);
      es?.close();
      setLive(false);
    };
  }, [url, events]);

  return live;
}

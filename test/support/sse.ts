// Reading a server-sent event stream in a test: its text as it arrives, and whether it has ended.

export interface Collected {
  text: string;
  ended: boolean;
}

/** Collects the stream's text until it ends (in the background; poll the returned object). */
export function collect(stream: ReadableStream<Uint8Array>): Collected {
  const state: Collected = { text: "", ended: false };
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
      if (done) break;
      state.text += decoder.decode(value, { stream: true });
    }
    state.ended = true;
  })();
  return state;
}

/** The parsed JSON data of every event named `name` so far. */
export const eventsNamed = (text: string, name: string) =>
  text
    .split("\n\n")
    .filter((f) => f.startsWith(`event: ${name}\n`))
    .map(
      (f) =>
        JSON.parse(
          f
            .split("\n")
            .slice(1)
            .map((l) => l.slice("data: ".length))
            .join("\n"),
        ) as Record<string, unknown>,
    );

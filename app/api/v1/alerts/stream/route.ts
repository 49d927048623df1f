import { route } from "../../../../../lib/web/api.ts";
import { catalog } from "../../../../../lib/web/catalog.ts";
import { onAlertChange } from "../../../../../lib/web/context.ts";

export const dynamic = "force-dynamic";

export const GET = route(catalog.alertStream, async ({ principal, req }) => {
  const enc = new TextEncoder();
  let stop = () => {};
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (s: string) => {
        try {
          controller.enqueue(enc.encode(s));
        } catch {
          stop();
        }
      };
      send(": andon alerts\n\n");
      const remove = await onAlertChange((siteKey, payload) => {
        if (principal.sites === "all" || principal.sites.includes(siteKey)) send(`event: alert\ndata: ${payload}\n\n`);
      });
      const beat = setInterval(() => send(": keep-alive\n\n"), 15_000);
      stop = () => {
        clearInterval(beat);
        remove();
      };
      req.signal.addEventListener("abort", () => {
        stop();
        try {
          controller.close();
        } catch {}
      });
    },
    cancel() {
      stop();
    },
  });
  return new Response(stream, { headers: { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" } });
});

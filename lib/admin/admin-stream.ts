import "server-only";
import { onStockChanges } from "../hold/stock-feed";
import { openEventStream } from "../streams/event-stream";
import { reason } from "../base/log";
import { dashboardSnapshot } from "./dashboard";

const TICK_MS = 1_000;
/** Snapshots queued for an operator who stopped reading before the stream is dropped (it reconnects). */
const MAX_BACKLOG = 8;
const encoder = new TextEncoder();
const message = (data: unknown) => encoder.encode(`data: ${JSON.stringify(data)}\n\n`);
const problem = (error: unknown) =>
  encoder.encode(`event: problem\ndata: ${JSON.stringify({ message: reason(error) })}\n\n`);

/**
 * The dashboard's live feed (server-sent events): a snapshot now, then one every second and
 * within moments of any stock change. At most one snapshot is read at a time; changes that arrive
 * meanwhile make one more. It holds one of `client`'s stream slots and ends when the request ends
 * however it ends, or when the admin session does (`untilMs`). Null when the request ended first.
 */
export async function openAdminStream({
  client,
  signal,
  untilMs,
}: {
  client: string;
  signal: AbortSignal;
  untilMs: number;
}): Promise<ReadableStream<Uint8Array> | null> {
  return openEventStream({
    client,
    signal,
    maxBacklog: MAX_BACKLOG,
    snapshot: dashboardSnapshot,
    opening: (first) => [message(first)],
    subscribe(sink, end) {
      let stopped = false;
      let reading = false;
      let again = false;
      const send = async () => {
        if (stopped) return;
        if (reading) {
          again = true;
          return;
        }
        reading = true;
        try {
          const snapshot = await dashboardSnapshot();
          if (!stopped) sink.deliver(message(snapshot));
        } catch (error) {
          // Postgres briefly away: say so on the stream, and keep trying every tick.
          if (!stopped) sink.deliver(problem(error));
        } finally {
          reading = false;
          if (again && !stopped) {
            again = false;
            void send();
          }
        }
      };
      const tick = setInterval(() => void send(), TICK_MS);
      // setTimeout takes at most 2^31-1 ms; a bearer token's access has no end.
      const left = untilMs - Date.now();
      const expiry = Number.isFinite(left) ? setTimeout(end, Math.max(0, Math.min(left, 2_147_483_647))) : undefined;
      const unsubscribe = onStockChanges(() => void send());
      return () => {
        stopped = true;
        clearInterval(tick);
        clearTimeout(expiry);
        unsubscribe();
      };
    },
  });
}

import "server-only";
import { onStockChanges } from "../inventory/stock-feed";
import { takeStreamSlot } from "../inventory/stream-slots";
import { dashboardSnapshot } from "./dashboard";

const TICK_MS = 1_000;
/** Snapshots queued for an operator who stopped reading before the stream is dropped (it reconnects). */
const MAX_BACKLOG = 8;
const encoder = new TextEncoder();
const message = (data: unknown) => encoder.encode(`data: ${JSON.stringify(data)}\n\n`);

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
  const releaseSlot = takeStreamSlot(client);
  let controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  const timers: NodeJS.Timeout[] = [];
  let unsubscribe: (() => void) | null = null;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    signal.removeEventListener("abort", end);
    for (const t of timers) clearTimeout(t);
    unsubscribe?.();
    releaseSlot();
    try {
      controller?.close();
    } catch {
      // already closed or cancelled
    }
  };
  signal.addEventListener("abort", end);

  let first;
  try {
    first = await dashboardSnapshot();
  } catch (error) {
    end();
    throw error;
  }
  if (signal.aborted || ended) {
    end();
    return null;
  }

  let reading = false;
  let again = false;
  const send = async () => {
    if (ended) return;
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      const snapshot = await dashboardSnapshot();
      const c = controller;
      if (ended || !c) return;
      if ((c.desiredSize ?? 0) < -MAX_BACKLOG) return end();
      c.enqueue(message(snapshot));
    } catch (error) {
      // Postgres briefly away: say so on the stream, and keep trying every tick.
      if (!ended)
        controller?.enqueue(
          encoder.encode(
            `event: problem\ndata: ${JSON.stringify({ message: (error as Error).message.split("\n")[0] })}\n\n`,
          ),
        );
    } finally {
      reading = false;
      if (again && !ended) {
        again = false;
        void send();
      }
    }
  };

  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        c.enqueue(encoder.encode("retry: 2000\n\n"));
        c.enqueue(message(first));
        timers.push(setInterval(() => void send(), TICK_MS));
        // setTimeout takes at most 2^31-1 ms; a bearer token's access has no end.
        const left = untilMs - Date.now();
        if (Number.isFinite(left)) timers.push(setTimeout(end, Math.max(0, Math.min(left, 2_147_483_647))));
        unsubscribe = onStockChanges(() => void send());
      },
      cancel() {
        end();
      },
    },
    { highWaterMark: 0 },
  );
}

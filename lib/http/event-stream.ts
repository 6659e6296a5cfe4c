import "server-only";
import { takeStreamSlot } from "../inventory/stream-slots";

/** Where a stream's sources put their messages; past the backlog it ends the stream itself. */
export type EventSink = { deliver(bytes: Uint8Array): void };

const RETRY = new TextEncoder().encode("retry: 2000\n\n");

/**
 * The lifecycle every server-sent-event stream of the store shares. It holds one of `client`'s
 * stream slots from this call on; reads `first` (a client that leaves meanwhile is heard); then
 * `start` wires the stream's sources and returns what lets go of them. Slot, sources and timers
 * are let go exactly once, when the request ends however it ends: abort, reset, cancel, error,
 * or a client too slow to read (past `maxBacklog` queued messages it is dropped; it reconnects
 * and starts from a fresh snapshot, so a stalled reader cannot make the queue grow without
 * bound). Resolves to null when the request ended before the stream began: nobody reads it.
 */
export async function openEventStream<T>({
  client,
  signal,
  maxBacklog,
  first,
  start,
}: {
  client: string;
  signal: AbortSignal;
  maxBacklog: number;
  first: () => Promise<T>;
  start: (sink: EventSink, first: T, end: () => void) => () => void;
}): Promise<ReadableStream<Uint8Array> | null> {
  const releaseSlot = takeStreamSlot(client);
  let controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  let stop: (() => void) | null = null;
  let ended = false;
  const end = (reason?: Error) => {
    if (ended) return;
    ended = true;
    signal.removeEventListener("abort", onAbort);
    stop?.();
    releaseSlot();
    try {
      if (reason) controller?.error(reason);
      else controller?.close();
    } catch {
      // already closed or cancelled
    }
  };
  const onAbort = () => end();
  // Before any await: a client that leaves while the first snapshot is read must be heard.
  signal.addEventListener("abort", onAbort);
  if (signal.aborted) {
    end();
    return null;
  }
  let snapshot: T;
  try {
    snapshot = await first();
  } catch (error) {
    end();
    throw error;
  }
  if (signal.aborted || ended) {
    end();
    return null;
  }
  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        c.enqueue(RETRY);
        const sink: EventSink = {
          deliver(bytes) {
            if (ended) return;
            if ((c.desiredSize ?? 0) < -maxBacklog) {
              // An AbortError, so Next.js drops the connection without logging a failure.
              end(new DOMException("The client reads too slowly.", "AbortError"));
              return;
            }
            try {
              c.enqueue(bytes);
            } catch {
              end(); // the stream ended without telling us: let go of it all the same
            }
          },
        };
        stop = start(sink, snapshot, () => end());
      },
      cancel() {
        end();
      },
    },
    { highWaterMark: 0 },
  );
}

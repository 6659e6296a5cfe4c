import "server-only";
import { takeStreamSlot } from "./stream-slots";
import { trackStream } from "./open-streams";

/** Where a stream's sources put their messages; past the backlog it ends the stream itself. */
export type EventSink = { deliver(bytes: Uint8Array): void };

const RETRY = new TextEncoder().encode("retry: 2000\n\n");

/**
 * The lifecycle every server-sent-event stream of the store shares. It holds one of `client`'s
 * stream slots from this call on. It `subscribe`s first and reads the `snapshot` after, so no
 * change can fall between the two (read first, a change published before the subscription was
 * lost until the next one); what the sources deliver while the snapshot is read waits, and is
 * sent right after it. Slot, sources and timers are let go exactly once, when the request ends
 * however it ends: abort, reset, cancel, error, or a client too slow to read (past `maxBacklog`
 * queued messages it is dropped; it reconnects and starts from a fresh snapshot, so a stalled
 * reader cannot make the queue grow without bound). Resolves to null when the request ended
 * before the stream began: nobody reads it.
 */
export async function openEventStream<T>({
  client,
  signal,
  maxBacklog,
  subscribe,
  snapshot,
  opening,
}: {
  client: string;
  signal: AbortSignal;
  maxBacklog: number;
  /** Wires the stream's sources to `sink`; returns what lets go of them. */
  subscribe: (sink: EventSink, end: () => void) => () => void;
  snapshot: () => Promise<T>;
  /** The messages that open the stream, from the snapshot. */
  opening: (snapshot: T) => Uint8Array[];
}): Promise<ReadableStream<Uint8Array> | null> {
  const releaseSlot = takeStreamSlot(client);
  let controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  let stop: (() => void) | null = null;
  let ended = false;
  const end = (reason?: Error) => {
    if (ended) return;
    ended = true;
    untrack();
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
  // A stopping web server ends it (lib/streams/open-streams.ts): the page reconnects elsewhere.
  const untrack = trackStream(() => end());
  // Before any await: a client that leaves while the snapshot is read must be heard.
  signal.addEventListener("abort", onAbort);
  if (signal.aborted) {
    end();
    return null;
  }
  // An AbortError, so Next.js drops the connection without logging a failure.
  const tooSlow = () => end(new DOMException("The client reads too slowly.", "AbortError"));
  const waiting: Uint8Array[] = [];
  const sink: EventSink = {
    deliver(bytes) {
      if (ended) return;
      if (!controller) {
        if (waiting.length >= maxBacklog) return tooSlow();
        waiting.push(bytes);
        return;
      }
      if ((controller.desiredSize ?? 0) < -maxBacklog) return tooSlow();
      try {
        controller.enqueue(bytes);
      } catch {
        end(); // the stream ended without telling us: let go of it all the same
      }
    },
  };
  stop = subscribe(sink, () => end());
  let first: T;
  try {
    first = await snapshot();
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
        c.enqueue(RETRY);
        for (const bytes of [...opening(first), ...waiting.splice(0)]) c.enqueue(bytes);
        controller = c;
      },
      cancel() {
        end();
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * The event streams (and long polls) open in this process, so a stopping web server can end them
 * (each page's EventSource reconnects, to another process; a long poll is answered) instead of
 * holding its exit until they time out. Once it is stopping, one that opens is ended at once: a
 * page reconnecting over a kept-alive connection would otherwise hold the exit to its last second.
 * On globalThis: the web server (dist/web.mjs) and Next's route bundles each carry their own copy
 * of this module, and must share one set.
 */
const KEY = Symbol.for("holdcart.openStreams");

type Registry = { open: Set<() => void>; stopping: boolean };

const registry = (): Registry => {
  const global = globalThis as Record<symbol, Registry | undefined>;
  return (global[KEY] ??= { open: new Set(), stopping: false });
};

/**
 * Registers a stream's end; returns what unregisters it (when the stream ends by itself). While
 * the server stops, `end` is called right after this returns.
 */
export function trackStream(end: () => void): () => void {
  const streams = registry();
  if (streams.stopping) {
    queueMicrotask(end);
    return () => {};
  }
  streams.open.add(end);
  return () => streams.open.delete(end);
}

/** Ends every open stream, and every one opened from now on (the web server is stopping); returns how many were open. */
export function endEveryStream(): number {
  const streams = registry();
  streams.stopping = true;
  const open = [...streams.open];
  for (const end of open) end();
  return open.length;
}

/**
 * The event streams open in this process, so a stopping web server can end them (each page's
 * EventSource reconnects, to another process) instead of holding its exit until they time out.
 * On globalThis: the web server (dist/web.mjs) and Next's route bundles each carry their own copy
 * of this module, and must share one set.
 */
const KEY = Symbol.for("holdcart.openStreams");

type Registry = Set<() => void>;

const registry = (): Registry => {
  const global = globalThis as Record<symbol, Registry | undefined>;
  return (global[KEY] ??= new Set());
};

/** Registers a stream's end; returns what unregisters it (when the stream ends by itself). */
export function trackStream(end: () => void): () => void {
  const streams = registry();
  streams.add(end);
  return () => streams.delete(end);
}

/** Ends every open stream (the web server is stopping); returns how many there were. */
export function endEveryStream(): number {
  const streams = [...registry()];
  for (const end of streams) end();
  return streams.length;
}

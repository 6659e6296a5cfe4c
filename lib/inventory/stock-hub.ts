import "server-only";
import type { StockChange } from "./stock-change";

/** One open stock stream, as the hub sees it: somewhere to put bytes. */
export type StockWatcher = { deliver(bytes: Uint8Array): void };

/** A product's changes reach its watchers at most once per this many ms (leading and trailing edge). */
export const COALESCE_MS = 250;
/**
 * ...and at most once per this many times its last fan-out took, so one product's fan-out uses at
 * most a quarter of the process however many streams watch it. Each write to a stream costs tens
 * of µs (the web stream Next.js pipes, the socket write); with 1,000 watchers a fan-out takes far
 * less than COALESCE_MS, with 5,000 and more it would not, and messages are spaced further apart.
 */
export const FANOUT_SPACING = 4;
/** A comment line now and then, so proxies and browsers keep an idle stream open. */
export const KEEPALIVE_MS = 15_000;

const encoder = new TextEncoder();
const KEEPALIVE = encoder.encode(": keepalive\n\n");

/** One server-sent event carrying `changes` (the stream's contract: a JSON list). */
export const stockMessage = (changes: readonly StockChange[]): Uint8Array =>
  encoder.encode(`data: ${JSON.stringify(changes)}\n\n`);

/** A watched product: who watches it, and its coalescing state. */
type Topic = {
  watchers: Set<StockWatcher>;
  /** performance.now() of the last message sent; -Infinity before the first. */
  sentAt: number;
  /** The latest change not yet sent, waiting for the trailing edge. */
  pending: StockChange | null;
  /** How long the last fan-out took, writes included, in ms. */
  fanoutMs: number;
  timer: ReturnType<typeof setTimeout> | null;
};

/**
 * Fans stock changes out to the open streams of a process. Each product's change is looked up
 * once, serialised and encoded once, and the same bytes go to every stream watching that product:
 * the cost per change does not grow with the streams that do not watch it, and those that do pay
 * only the write. A product changing faster than its spacing (COALESCE_MS, longer when its fan-out
 * is slow) is sent at the leading edge and then with its latest value at the trailing edge. State
 * exists only for watched products and ends with their last watcher (invariant 10).
 */
export class StockHub {
  private readonly topics = new Map<number, Topic>();
  private readonly watchers = new Set<StockWatcher>();
  private keepalive: ReturnType<typeof setInterval> | null = null;

  /** Open subscriptions (streams) in this process. */
  get size(): number {
    return this.watchers.size;
  }

  /** Products with at least one watcher. */
  get watchedProducts(): number {
    return this.topics.size;
  }

  /** Sends `watcher` the changes of `productIds` until the returned function is called (once is enough). */
  watch(productIds: readonly number[], watcher: StockWatcher): () => void {
    this.watchers.add(watcher);
    for (const productId of productIds) {
      let topic = this.topics.get(productId);
      if (!topic) {
        topic = { watchers: new Set(), sentAt: -Infinity, pending: null, fanoutMs: 0, timer: null };
        this.topics.set(productId, topic);
      }
      topic.watchers.add(watcher);
    }
    this.keepalive ??= setInterval(() => this.deliver(this.watchers, KEEPALIVE), KEEPALIVE_MS).unref();
    return () => this.unwatch(productIds, watcher);
  }

  publish(changes: readonly StockChange[]): void {
    for (const change of changes) {
      const topic = this.topics.get(change.productId);
      if (topic) this.offer(topic, change);
    }
  }

  private unwatch(productIds: readonly number[], watcher: StockWatcher): void {
    if (!this.watchers.delete(watcher)) return;
    for (const productId of productIds) {
      const topic = this.topics.get(productId);
      if (!topic) continue;
      topic.watchers.delete(watcher);
      if (topic.watchers.size > 0) continue;
      if (topic.timer) clearTimeout(topic.timer);
      this.topics.delete(productId);
    }
    if (this.watchers.size === 0 && this.keepalive) {
      clearInterval(this.keepalive);
      this.keepalive = null;
    }
  }

  private offer(topic: Topic, change: StockChange): void {
    if (topic.timer) {
      topic.pending = change;
      return;
    }
    const spacing = Math.max(COALESCE_MS, FANOUT_SPACING * topic.fanoutMs);
    const wait = topic.sentAt + spacing - performance.now();
    if (wait <= 0) {
      this.send(topic, change);
      return;
    }
    topic.pending = change;
    topic.timer = setTimeout(() => this.flush(topic), wait).unref();
  }

  private flush(topic: Topic): void {
    topic.timer = null;
    const change = topic.pending;
    topic.pending = null;
    if (change) this.send(topic, change);
  }

  private send(topic: Topic, change: StockChange): void {
    const started = performance.now();
    topic.sentAt = started;
    this.deliver(topic.watchers, stockMessage([change]));
    // The writes run in the microtasks after the enqueues: all done by the next check phase.
    setImmediate(() => {
      topic.fanoutMs = performance.now() - started;
    });
  }

  private deliver(watchers: Iterable<StockWatcher>, bytes: Uint8Array): void {
    for (const watcher of watchers) {
      try {
        watcher.deliver(bytes);
      } catch (error) {
        // One broken stream must not keep the message from the others.
        console.error(`[stock-hub] ${(error as Error).message}`);
      }
    }
  }
}

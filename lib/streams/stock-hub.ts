import "server-only";
import { log, reason } from "../base/log";
import { within } from "../base/timeout";
import type { AvailableChange, StockChange } from "../hold/stock-change";

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
/** A read slower than this is given up for the published values: a stuck query must not stall a product's news. */
export const READ_TIMEOUT_MS = 2_000;
/** A comment line now and then, so proxies and browsers keep an idle stream open. */
export const KEEPALIVE_MS = 15_000;

const encoder = new TextEncoder();
const KEEPALIVE = encoder.encode(": keepalive\n\n");

/** One server-sent event carrying `changes` (the stream's contract: a JSON list). */
export const stockMessage = (changes: readonly StockChange[]): Uint8Array =>
  encoder.encode(`data: ${JSON.stringify(changes)}\n\n`);

/** The same stock for a shopper: the countdown (`nextReleaseInMs`) moves on by itself. */
const sameStock = (a: StockChange, b: StockChange | null): boolean =>
  b !== null &&
  a.available === b.available &&
  a.reserved === b.reserved &&
  a.waiting === b.waiting &&
  a.nextReleaseAt === b.nextReleaseAt &&
  a.releaseAt === b.releaseAt;

/** Reads products' current stock from the ledger (lib/catalog/products.ts `stockOf`). */
export type StockReader = (productIds: readonly number[]) => Promise<StockChange[]>;

/** A watched product: who watches it, and its coalescing state. */
type Topic = {
  productId: number;
  watchers: Set<StockWatcher>;
  /** performance.now() of the last message sent; -Infinity before the first. */
  sentAt: number;
  /** The latest change not yet sent, waiting for the trailing edge (or for the read in flight). */
  pending: AvailableChange | null;
  /** How long the last fan-out took, writes included, in ms. */
  fanoutMs: number;
  timer: ReturnType<typeof setTimeout> | null;
  /** A read of this product is in flight: one at a time, so its messages go out in order. */
  reading: boolean;
  /** The last message sent: what a published change lacks is taken from it when a read fails. */
  last: StockChange | null;
};

/**
 * Fans stock changes out to the open streams of a process. Each product's change is looked up
 * once, serialised and encoded once, and the same bytes go to every stream watching that product:
 * the cost per change does not grow with the streams that do not watch it, and those that do pay
 * only the write. A product changing faster than its spacing (COALESCE_MS, longer when its fan-out
 * is slow) is sent at the leading edge and then with its latest value at the trailing edge. State
 * exists only for watched products and ends with their last watcher (invariant 10).
 *
 * A published change only says what its publisher knew (`available`), and messages of different
 * publishers may arrive out of order. So with a `read`er, each send reads the product's stock from
 * the ledger (one query per product per send, only for watched products) and sends that: the
 * streams always carry the ledger's truth, `reserved` and the next release included. If the read
 * fails, the published values go out, completed from the last message sent.
 */
export class StockHub {
  private readonly topics = new Map<number, Topic>();
  private readonly watchers = new Set<StockWatcher>();
  private keepalive: ReturnType<typeof setInterval> | null = null;
  private readonly read: StockReader | null;

  constructor({ read }: { read?: StockReader } = {}) {
    this.read = read ?? null;
  }

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
        topic = {
          productId,
          watchers: new Set(),
          sentAt: -Infinity,
          pending: null,
          fanoutMs: 0,
          timer: null,
          reading: false,
          last: null,
        };
        this.topics.set(productId, topic);
      }
      topic.watchers.add(watcher);
    }
    this.keepalive ??= setInterval(() => this.deliver(this.watchers, KEEPALIVE), KEEPALIVE_MS).unref();
    return () => this.unwatch(productIds, watcher);
  }

  publish(changes: readonly AvailableChange[]): void {
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

  private offer(topic: Topic, change: AvailableChange): void {
    if (topic.timer || topic.reading) {
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

  private send(topic: Topic, change: AvailableChange): void {
    if (!this.read) {
      this.fanOut(topic, this.completed(topic, change));
      return;
    }
    topic.reading = true;
    void this.readOne(topic.productId, this.read)
      .then(
        (stock) => stock ?? this.completed(topic, change),
        (error: Error) => {
          log.warn("stock_read_failed", { error: reason(error), then: "sending the published values" });
          return this.completed(topic, change);
        },
      )
      .then((stock) => {
        topic.reading = false;
        // Unwatched while reading: nobody to tell, and no state to keep (invariant 10).
        if (this.topics.get(topic.productId) !== topic) return;
        // A change the read already saw (its publisher was slower than the read): no news, no message.
        if (!sameStock(stock, topic.last)) this.fanOut(topic, stock);
        if (topic.pending && !topic.timer) {
          const spacing = Math.max(COALESCE_MS, FANOUT_SPACING * topic.fanoutMs);
          topic.timer = setTimeout(() => this.flush(topic), spacing).unref();
        }
      });
  }

  private async readOne(productId: number, read: StockReader): Promise<StockChange | undefined> {
    const rows = await within(READ_TIMEOUT_MS, read([productId]));
    return rows.find((row) => row.productId === productId);
  }

  /** A published change as a full message: what it lacks comes from the last message sent. */
  private completed(topic: Topic, change: AvailableChange): StockChange {
    const last = topic.last;
    const elapsed = performance.now() - topic.sentAt;
    return {
      productId: change.productId,
      variantId: change.productId,
      available: change.available,
      reserved: last?.reserved ?? 0,
      waiting: last?.waiting ?? 0,
      nextReleaseAt: last?.nextReleaseAt ?? null,
      nextReleaseInMs: last?.nextReleaseInMs == null ? null : Math.round(last.nextReleaseInMs - elapsed),
      releaseAt: last?.releaseAt ?? null,
      releaseInMs: last?.releaseInMs == null ? null : Math.round(last.releaseInMs - elapsed),
    };
  }

  private fanOut(topic: Topic, stock: StockChange): void {
    const started = performance.now();
    topic.sentAt = started;
    topic.last = stock;
    this.deliver(topic.watchers, stockMessage([stock]));
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
        log.warn("stock_hub_failed", { error: reason(error) });
      }
    }
  }
}

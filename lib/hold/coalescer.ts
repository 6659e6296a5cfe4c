import "server-only";
import { ShopError } from "../base/shop-error";

/** What a batch answers for one of its requests: a value, or the error that request alone gets. */
export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

type Pending<T, R> = { request: T; resolve: (value: R) => void; reject: (error: unknown) => void };

type Lane<T, R> = { queue: Pending<T, R>[]; inFlight: boolean };

export type CoalescerOptions<T> = {
  /** Requests one batch takes at most. */
  maxBatch: number;
  /** Requests that may wait behind a batch in flight; past it a request is refused at once (503). */
  maxQueue: number;
  /** Requests that must not share a batch (two changes of one cart): a later one waits for the next. */
  conflictKey?: (request: T) => string | undefined;
  /** At most `max` distinct `key`s in one batch (each costs the batch a lock it holds to commit). */
  groups?: { key: (request: T) => string; max: number };
};

/**
 * Coalesces work on one hot key (a product): while a batch for the key is in flight, requests
 * for it queue; when it settles, everything queued (up to `maxBatch`) goes into the next batch,
 * in arrival order. A lone request runs at once, so nothing waits for company. A batch that
 * fails as a whole (the database went away) fails each of its requests with that error.
 */
export class Coalescer<K, T, R> {
  private readonly lanes = new Map<K, Lane<T, R>>();

  constructor(
    private readonly runBatch: (key: K, requests: T[]) => Promise<Outcome<R>[]>,
    private readonly options: CoalescerOptions<T>,
  ) {}

  submit(key: K, request: T): Promise<R> {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { queue: [], inFlight: false };
      this.lanes.set(key, lane);
    }
    if (lane.queue.length >= this.options.maxQueue) {
      return Promise.reject(
        new ShopError("service_unavailable", "Too many shoppers are asking for this item at once. Please try again."),
      );
    }
    const promise = new Promise<R>((resolve, reject) => lane.queue.push({ request, resolve, reject }));
    if (!lane.inFlight) void this.drain(key, lane);
    return promise;
  }

  private async drain(key: K, lane: Lane<T, R>): Promise<void> {
    lane.inFlight = true;
    while (lane.queue.length > 0) {
      const batch = this.take(lane);
      let outcomes: Outcome<R>[];
      try {
        outcomes = await this.runBatch(
          key,
          batch.map((p) => p.request),
        );
      } catch (error) {
        outcomes = batch.map(() => ({ ok: false, error }));
      }
      batch.forEach((pending, i) => {
        const outcome = outcomes[i] ?? { ok: false, error: new Error("batch returned no outcome") };
        if (outcome.ok) pending.resolve(outcome.value);
        else pending.reject(outcome.error);
      });
    }
    lane.inFlight = false;
    this.lanes.delete(key);
  }

  /**
   * The next batch: the queue's head, in order, up to maxBatch. It ends before the first request
   * that conflicts with one already in it or would bring one group too many, so no request is
   * ever decided after one that arrived later.
   */
  private take(lane: Lane<T, R>): Pending<T, R>[] {
    const { maxBatch, conflictKey, groups } = this.options;
    const conflicts = new Set<string>();
    const groupsSeen = new Set<string>();
    let end = 0;
    for (; end < lane.queue.length && end < maxBatch; end += 1) {
      const { request } = lane.queue[end] as Pending<T, R>;
      const conflict = conflictKey?.(request);
      if (conflict !== undefined && conflicts.has(conflict)) break;
      const group = groups?.key(request);
      if (groups && group !== undefined && !groupsSeen.has(group) && groupsSeen.size >= groups.max) break;
      if (conflict !== undefined) conflicts.add(conflict);
      if (group !== undefined) groupsSeen.add(group);
    }
    return lane.queue.splice(0, Math.max(end, 1));
  }
}

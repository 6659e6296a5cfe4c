import "server-only";
import { config } from "../base/config";
import { ShopError } from "../base/shop-error";
import { changeLines } from "./change-lines";
import { Coalescer, type Outcome } from "./coalescer";
import { targetQuantity, type Applied, type CartTarget, type LineChange, type LineChangeRequest } from "./line-change";
import { holdInNewCart } from "./lone-new-cart";

// A batch is one statement on the product's inventory row; its size bounds the statement,
// the queue bounds how long a request can wait behind batches (then 503, never unbounded).
// However it is blocked (a lock held elsewhere), the function gives up after its lock_timeout
// (5 s), answering 503, rather than holding its queue.
const MAX_BATCH = 500;
const MAX_QUEUE = 5_000;
const MAX_CLIENTS_PER_BATCH = 256;

/** Batches run and the requests they carried, since the process started (metrics, tests). */
export const holdBatchStats = { batches: 0, requests: 0 };

const batches = new Coalescer<number, LineChangeRequest, Applied>(decide, {
  maxBatch: MAX_BATCH,
  maxQueue: MAX_QUEUE,
  // A cart's version is bumped once per batch, so two changes of one cart go in separate batches.
  conflictKey: (r) => (r.target.newFor === undefined ? r.target.cartId : undefined),
  // With per-client caps a batch holds one advisory lock per client until commit; those live in
  // Postgres' shared lock table, max_locks_per_transaction (64) × max_connections (100) = 6,400
  // by default, which any transaction may draw on. One batch per hot product per web process is
  // in flight, so 256 each leaves most of it to everything else even in a drop of several
  // products; at 64 a drop of 5,000 shoppers queued its adds for 30 s behind batches too small.
  // A cart stands for its client here.
  groups: { key: (r) => r.target.newFor ?? r.target.cartId, max: MAX_CLIENTS_PER_BATCH },
});

/**
 * Commits a change of one cart line to the ledger (Postgres only; Redis follows in
 * lib/cart/mutations.ts). Changes of one product that arrive while a batch for it is in flight go
 * into the next batch: one statement, one commit, each request answered as if alone.
 */
export function applyChange(target: CartTarget, change: LineChange): Promise<Applied> {
  targetQuantity(0, change); // refuses an add of less than one unit here, before it reaches a batch
  return batches.submit(change.productId, { target, change });
}

/**
 * A batch's requests, decided: a lone new cart (no batch to share, no per-client caps to read
 * first) by one conditional statement of its own, any other batch by change_lines.
 */
async function decide(productId: number, requests: LineChangeRequest[]): Promise<Outcome<Applied>[]> {
  holdBatchStats.batches += 1;
  holdBatchStats.requests += requests.length;
  const [only] = requests;
  if (requests.length === 1 && only?.target.newFor !== undefined && !config().holdLimits) {
    return [
      await settle(holdInNewCart(only.target.cartId, only.target.newFor, productId, targetQuantity(0, only.change))),
    ];
  }
  return changeLines(productId, requests);
}

const settle = <R>(work: Promise<R>): Promise<Outcome<R>> =>
  work.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => {
      if (error instanceof ShopError) return { ok: false as const, error };
      throw error;
    },
  );

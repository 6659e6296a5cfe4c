import "server-only";
import { config } from "../base/config";
import { batchPg, pg } from "../db/client";
import { log, reason } from "../base/log";
import { insufficientStock, notReleased, ShopError } from "../base/shop-error";
import { holdUnits } from "./counters";
import { ledgerSettingsJson } from "./ledger-settings";
import { publishStockChanges, type AvailableChange } from "./stock-events";
import { Coalescer, type Outcome } from "./coalescer";
import { holdMetrics } from "./hold-metrics";
import { announceHandOff, handOffOf, type Offer } from "./hand-off";
import { holdLimitError } from "./hold-limits";
import { soldOut } from "./sold-out";
import { deadlineColumns } from "./deadline-sql";
import type { CartLine, CartSnapshot } from "./cart-types";

/**
 * A change of one cart line:
 * - `add`: `quantity` (at least 1) more units;
 * - `set`: the line becomes `quantity` (0 removes it);
 * - `giveBack`: up to `quantity` fewer (a declined offer); a line holding fewer gives back all it holds;
 * - `undo`: reverts a change that moved the line by `quantity` (signed), leaving later changes be.
 */
export type LineChange = { productId: number; mode: "add" | "set" | "giveBack" | "undo"; quantity: number };

/** The quantity a line of `current` units is to hold after `change`. */
export function targetQuantity(current: number, { mode, quantity }: LineChange): number {
  switch (mode) {
    case "add":
      if (quantity < 1) throw new Error(`an add of ${quantity} units: use giveBack or undo`);
      return current + quantity;
    case "set":
      return quantity;
    case "giveBack":
      return Math.max(0, current - quantity);
    case "undo":
      // Below zero only when a later change (another tab) already gave those units back.
      return Math.max(0, current - quantity);
  }
}

/** Which cart a change is for: an existing one, or a new one that `client` starts. */
export type CartTarget = { cartId: string; newFor?: string };

/** What Postgres committed: the cart's new snapshot, and what moved. */
export type Applied = CartSnapshot & { previousQuantity: number; lineQuantity: number; change: AvailableChange | null };

type Request = { target: CartTarget; change: LineChange };

// A batch is one statement on the product's inventory row; its size bounds the statement,
// the queue bounds how long a request can wait behind batches (then 503, never unbounded).
// However it is blocked (a lock held elsewhere), the function gives up after its lock_timeout
// (5 s), answering 503, rather than holding its queue.
const MAX_BATCH = 500;
const MAX_QUEUE = 5_000;
const MAX_CLIENTS_PER_BATCH = 256;

/** Batches run and the requests they carried, since the process started (metrics, tests). */
export const holdBatchStats = { batches: 0, requests: 0 };

const batches = new Coalescer<number, Request, Applied>((productId, requests) => changeLines(productId, requests), {
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
 * mutations.ts). Changes of one product that arrive while a batch for it is in flight go
 * into the next batch: one statement, one commit, each request answered as if alone.
 */
export function applyChange(target: CartTarget, change: LineChange): Promise<Applied> {
  targetQuantity(0, change); // refuses an add of less than one unit here, before it reaches a batch
  return batches.submit(change.productId, { target, change });
}

/**
 * What one cart may hold (cart_limit): the rules change_lines applies in the database, for the
 * paths that decide in TypeScript (a lone new cart).
 */
export function enforceLimits(lines: readonly CartLine[], current: number, target: number): void {
  const { maxQtyPerLine, maxLines, maxUnitsPerCart } = config();
  if (target > maxQtyPerLine) throw cartLimitError({ maxQtyPerLine });
  if (current === 0 && target > 0 && lines.length >= maxLines) throw cartLimitError({ maxLines });
  const units = lines.reduce((sum, l) => sum + l.quantity, 0) - current + target;
  if (target > current && units > maxUnitsPerCart) throw cartLimitError({ maxUnitsPerCart });
}

/** The cart_limit refusal for the one limit `details` names. */
function cartLimitError(details: { maxQtyPerLine?: number; maxLines?: number; maxUnitsPerCart?: number }): ShopError {
  const { maxQtyPerLine, maxLines, maxUnitsPerCart } = details;
  if (maxQtyPerLine !== undefined) {
    return new ShopError("cart_limit", `At most ${maxQtyPerLine} of one item per cart.`, { maxQtyPerLine });
  }
  if (maxLines !== undefined) {
    return new ShopError("cart_limit", `A cart holds at most ${maxLines} different items.`, { maxLines });
  }
  return new ShopError("cart_limit", `A cart holds at most ${maxUnitsPerCart} items.`, { maxUnitsPerCart });
}

/** How the ledger function refused one request: a code and what the message needs. */
type Refusal = {
  ok: false;
  code: "cart_expired" | "cart_limit" | "hold_limit" | "insufficient_stock" | "not_released" | "unknown_product";
  details: Record<string, number>; // insufficient_stock's nextReleaseMs may be null
};

/**
 * insufficient_stock as a batch answered it, with what the same statement read: milliseconds
 * until the product's next hold ends (≤ 0: one is overdue; null: nobody holds any). The shopper
 * sees the refusal as before; the caller uses the rest (invariant 7, the sold-out flag).
 */
export class StockRefusal extends ShopError {
  constructor(
    refusal: ShopError,
    readonly nextReleaseMs: number | null,
  ) {
    super(refusal.code, refusal.message, refusal.details);
  }

  /** Whether some hold of the product may be overdue, so freeing it could serve this request. */
  get mayFreeOverdue(): boolean {
    return this.nextReleaseMs !== null && this.nextReleaseMs <= 0;
  }
}

/** The cart a granted request changed, as the function locked it (null: a new cart). */
type LockedCart = { version: number; extensionsUsed: number; expiresAtMs: number; ttlMs: number };

type Granted = {
  ok: true;
  previousQuantity: number;
  lineQuantity: number;
  availableAfter: number;
  /** The cart's lines before this change. */
  lines: CartLine[];
  cart: LockedCart | null;
};

/** What change_lines answers for a batch (drizzle/0006_hot_row_functions.sql). */
type BatchResult = {
  outcomes: (Granted | Refusal)[];
  availableAfter: number | null;
  declinedUnits: number;
  offers: Offer[];
  newCart?: { expiresAtMs: number; ttlMs: number };
  lockMs: number;
};

/**
 * One batch of changes to one product's lines, decided and written by one statement: the SQL
 * function change_lines locks the carts, the clients and the product's inventory row, decides
 * each request in arrival order against what the requests before it left (stock, the client's
 * holdings), writes every granted change, hands freed units to the line, and commits, all in
 * one round trip (invariant 12: no lock waits on this process's event loop). Invariant 3 still
 * rests on the database: the conditional update and the CHECK constraints.
 */
async function changeLines(productId: number, requests: Request[]): Promise<Outcome<Applied>[]> {
  holdBatchStats.batches += 1;
  holdBatchStats.requests += requests.length;
  const [only] = requests;
  if (requests.length === 1 && only?.target.newFor !== undefined && !config().holdLimits) {
    return [
      await settle(holdInNewCart(only.target.cartId, only.target.newFor, productId, targetQuantity(0, only.change))),
    ];
  }
  const batch = requests.map(({ target, change }) => ({
    cartId: target.cartId,
    newFor: target.newFor ?? null,
    mode: change.mode,
    quantity: change.quantity,
  }));
  const ticket = soldOut.ticket(productId); // before the statement, so the flag never outlives a deadline
  const [row] = await batchPg()<{ result: BatchResult }[]>`
    select change_lines(${productId}::int, ${JSON.stringify(batch)}::jsonb,
                        ${ledgerSettingsJson()}::jsonb) as result`;
  if (!row) throw new Error("change_lines answered no row");
  const { outcomes, availableAfter, declinedUnits, offers, newCart, lockMs } = row.result;
  holdMetrics.rowLockHeld("batch", lockMs);
  // Refused with none left: sold out until the product's next hold ends (soldOut weighs overdue).
  const soldOutRefusal = outcomes.findLast(
    (o): o is Refusal => !o.ok && o.code === "insufficient_stock" && o.details.available === 0,
  );
  if (soldOutRefusal) {
    const { reserved, nextReleaseMs } = soldOutRefusal.details;
    soldOut.refused(productId, ticket, reserved ?? 0, nextReleaseMs ?? null);
  }
  if (availableAfter !== null) afterBatch(productId, availableAfter);
  if (declinedUnits > 0) holdMetrics.offerPassed(declinedUnits);
  if (offers.length > 0) {
    void handOffOf(offers)
      .then(announceHandOff)
      .catch((error: unknown) => log.warn("hand_off_announce_failed", { product: productId, error: reason(error) }));
  }
  return outcomes.map((outcome, i) =>
    outcome.ok
      ? { ok: true, value: applied(requests[i] as Request, outcome, productId, newCart) }
      : { ok: false, error: refusalError(outcome) },
  );
}

/** A refusal of the ledger function, worded as the shopper reads it. */
function refusalError({ code, details }: Refusal): ShopError {
  switch (code) {
    case "insufficient_stock":
      return new StockRefusal(
        insufficientStock(details.available ?? 0, details.reserved ?? 0, details.mine ?? 0),
        details.nextReleaseMs ?? null,
      );
    case "cart_limit":
      return cartLimitError(details);
    case "hold_limit":
      return holdLimitError(details);
    case "not_released":
      return notReleased(new Date(details.releaseAtMs ?? 0));
    case "cart_expired":
      return new ShopError("cart_expired", "Your hold ended: nothing is held for you now.");
    case "unknown_product":
      return new ShopError("unknown_product", "No such product.");
  }
}

const settle = <R>(work: Promise<R>): Promise<Outcome<R>> =>
  work.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => {
      if (error instanceof ShopError) return { ok: false as const, error };
      throw error;
    },
  );

/**
 * A lone new cart (no batch to share, no per-client caps to read first): one conditional
 * statement, one round trip. It holds the units, and only if that succeeded creates the cart
 * and its reservation.
 */
async function holdInNewCart(cartId: string, client: string, productId: number, quantity: number): Promise<Applied> {
  const { cartTtlSeconds } = config();
  enforceLimits([], 0, quantity);
  const [row] = await pg()<
    { available: number | null; expires_at_ms: number | null; ttl_ms: number | null; known: boolean }[]
  >`
    with held as (${holdUnits(pg(), productId, quantity)}),
    cart as (
      insert into carts (id, client_key, expires_at)
      select ${cartId}, ${client}, now() + make_interval(secs => ${cartTtlSeconds}) from held
      returning expires_at
    ),
    line as (insert into reservations (cart_id, product_id, quantity) select ${cartId}, ${productId}, ${quantity} from cart)
    select (select available from held) as available,
           ${deadlineColumns(pg(), pg()`cart.expires_at`)},
           exists (select 1 from inventory where product_id = ${productId}) as known
      from (select 1) one left join cart on true`;
  if (!row?.known) throw new ShopError("unknown_product", "No such product.");
  if (row.available === null || row.expires_at_ms === null) {
    // Refused: how many are left is read by a statement of its own, since this one's snapshot
    // predates the holds it waited behind.
    const [left] = await pg()<{ available: number; reserved: number; not_open_until: string | null }[]>`
      select i.available, i.reserved, case when p.opened_at is null then p.release_at end as not_open_until
        from inventory i join products p on p.id = i.product_id where i.product_id = ${productId}`;
    if (left?.not_open_until) throw notReleased(new Date(left.not_open_until));
    throw insufficientStock(left?.available ?? 0, left?.reserved ?? 0);
  }
  afterBatch(productId, row.available);
  const change = { productId, available: row.available };
  return {
    cartId,
    version: 1,
    expiresAtMs: Number(row.expires_at_ms),
    ttlMs: Number(row.ttl_ms),
    extensionsUsed: 0,
    lines: [{ productId, quantity }],
    previousQuantity: 0,
    lineQuantity: quantity,
    change,
  };
}

function withLine(lines: readonly CartLine[], productId: number, quantity: number): CartLine[] {
  const others = lines.filter((l) => l.productId !== productId);
  const next = quantity > 0 ? [...others, { productId, quantity }] : others;
  return next.sort((a, b) => a.productId - b.productId);
}

function applied(request: Request, granted: Granted, productId: number, newCart: BatchResult["newCart"]): Applied {
  const { previousQuantity, lineQuantity, availableAfter, lines, cart } = granted;
  const change = lineQuantity === previousQuantity ? null : { productId, available: availableAfter };
  const base = { previousQuantity, lineQuantity, change, cartId: request.target.cartId };
  const after = withLine(lines, productId, lineQuantity);
  if (cart === null) {
    if (!newCart) throw new Error("change_lines started a cart without its deadline");
    return { ...base, version: 1, ...newCart, extensionsUsed: 0, lines: after };
  }
  return {
    ...base,
    version: cart.version,
    expiresAtMs: cart.expiresAtMs,
    ttlMs: cart.ttlMs,
    extensionsUsed: cart.extensionsUsed,
    lines: after,
  };
}

/** One stock message per batch, not per request; and what the batch says about selling out. */
function afterBatch(productId: number, available: number): void {
  if (available > 0) soldOut.forget(productId);
  void publishStockChanges([{ productId, available }]);
}

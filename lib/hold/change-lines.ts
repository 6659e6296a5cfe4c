import "server-only";
import { batchPg } from "../db/client";
import { log, reason } from "../base/log";
import { insufficientStock, notReleased, productArchived, ShopError } from "../base/shop-error";
import { ledgerSettingsJson } from "./ledger-settings";
import { publishStockChanges } from "./stock-events";
import type { Outcome } from "./coalescer";
import { holdMetrics } from "./hold-metrics";
import { announceHandOff, handOffOf, type Offer } from "./hand-off";
import { cartLimitError } from "./cart-limits";
import { holdLimitError } from "./hold-limits";
import { soldOut } from "./sold-out";
import { unreleased } from "./unreleased";
import type { CartLine } from "./cart-types";
import type { Applied, LineChangeRequest } from "./line-change";

/** How the ledger function refused one request: a code and what the message needs. */
type Refusal = {
  ok: false;
  code:
    | "cart_expired"
    | "cart_limit"
    | "hold_limit"
    | "insufficient_stock"
    | "not_released"
    | "product_archived"
    | "unknown_product";
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
export async function changeLines(productId: number, requests: LineChangeRequest[]): Promise<Outcome<Applied>[]> {
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
  // Refused as a drop not yet open: so until its release (a second at most, lib/hold/unreleased.ts).
  const unopened = outcomes.find((o): o is Refusal => !o.ok && o.code === "not_released");
  if (unopened?.details.releaseAtMs !== undefined) unreleased.refused(productId, unopened.details.releaseAtMs);
  if (availableAfter !== null) afterBatch(productId, availableAfter);
  if (declinedUnits > 0) holdMetrics.offerPassed(declinedUnits);
  if (offers.length > 0) {
    void handOffOf(offers)
      .then(announceHandOff)
      .catch((error: unknown) => log.warn("hand_off_announce_failed", { product: productId, error: reason(error) }));
  }
  return outcomes.map((outcome, i) =>
    outcome.ok
      ? { ok: true, value: applied(requests[i] as LineChangeRequest, outcome, productId, newCart) }
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
    case "product_archived":
      return productArchived();
    case "cart_expired":
      return new ShopError("cart_expired", "Your hold ended: nothing is held for you now.");
    case "unknown_product":
      return new ShopError("unknown_product", "No such product.");
  }
}

function withLine(lines: readonly CartLine[], productId: number, quantity: number): CartLine[] {
  const others = lines.filter((l) => l.productId !== productId);
  const next = quantity > 0 ? [...others, { productId, quantity }] : others;
  return next.sort((a, b) => a.productId - b.productId);
}

function applied(
  request: LineChangeRequest,
  granted: Granted,
  productId: number,
  newCart: BatchResult["newCart"],
): Applied {
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
export function afterBatch(productId: number, available: number): void {
  if (available > 0) soldOut.forget(productId);
  void publishStockChanges([{ productId, available }]);
}

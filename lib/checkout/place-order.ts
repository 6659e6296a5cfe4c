import "server-only";
import { pg } from "../db/client";
import { ShopError } from "../base/shop-error";
import { releaseCart } from "../hold/release";
import { forgetCartsInRedis } from "../hold/redis-cart";
import { log, reason } from "../base/log";
import { holdMetrics } from "../hold/hold-metrics";
import { authorizePayment, capturePayment, voidPayment, type Authorization } from "./payment";
import { findOrder, type OrderView } from "./orders";
import type { Contact } from "./schemas";

type Outcome =
  | { kind: "placed"; orderId: string; offersClaimed: number }
  | { kind: "already"; orderId: string }
  | { kind: "overdue" }
  | { kind: "changed" };

// A cart changed between the quote and the transaction (another tab added an item) is quoted
// again; past this many tries the shopper is asked to look at the cart.
const QUOTE_TRIES = 2;

/**
 * Turns the cart's holds into an order, exactly once (invariant 6: checkout xor expiry).
 *
 * The payment is authorized for the cart's total before the transaction, captured after it
 * commits and voided when it placed no order. One transaction holds the cart's row lock
 * throughout, the same lock release takes, so:
 * - a cart already checked out answers with its order (double submit, two tabs: one order);
 * - a cart past its deadline places no order and answers cart_expired; it is released right
 *   after (by the same conditional release as the worker's, so exactly once), so a checkout
 *   racing the deadline leaves exactly one outcome, never both and never neither;
 * - otherwise each line moves from reserved to sold and the order keeps the unit price of now.
 */
export async function placeOrder(
  cartId: string | null,
  contact: Contact,
): Promise<{ order: OrderView; created: boolean }> {
  if (!cartId) throw new ShopError("cart_empty", "Your cart is empty.");
  let outcome: Outcome = { kind: "changed" };
  for (let tries = 0; tries < QUOTE_TRIES && outcome.kind === "changed"; tries += 1) {
    const quotedCents = await quote(cartId);
    const authorization =
      quotedCents === null ? null : await authorizePayment({ cartId, totalCents: quotedCents, email: contact.email });
    try {
      outcome = await orderInLedger(cartId, contact, quotedCents);
    } catch (error) {
      if (authorization) await voidPayment(authorization);
      throw error;
    }
    if (authorization) await settlePayment(authorization, outcome);
  }

  if (outcome.kind === "changed") {
    throw new ShopError("cart_changed", "Your cart changed while the order was being placed. Check it and try again.");
  }
  if (outcome.kind === "overdue") {
    await releaseCart(cartId, "lazy");
    throw new ShopError("cart_expired", "Your hold ended before the order was placed: nothing was bought or charged.");
  }
  await forgetCartsInRedis([cartId]).catch((error: unknown) =>
    log.warn("checkout_redis_cleanup_failed", { cart: cartId, error: reason(error) }),
  );
  const order = await findOrder(outcome.orderId);
  if (!order) throw new Error(`order ${outcome.orderId} vanished`);
  if (outcome.kind === "placed" && outcome.offersClaimed > 0) holdMetrics.offerClaimed(outcome.offersClaimed);
  return { order, created: outcome.kind === "placed" };
}

const settlePayment = (authorization: Authorization, outcome: Outcome): Promise<void> =>
  outcome.kind === "placed" ? capturePayment(authorization, outcome.orderId) : voidPayment(authorization);

/** The total to authorize: the live cart's lines at today's prices; null when there is nothing to pay. */
async function quote(cartId: string): Promise<number | null> {
  const [row] = await pg()<{ total: string | null }[]>`
    select sum(r.quantity * p.price_cents) as total
      from carts c join reservations r on r.cart_id = c.id join products p on p.id = r.product_id
     where c.id = ${cartId} and c.state = 'active'`;
  return row?.total === null || row?.total === undefined ? null : Number(row.total);
}

/**
 * The order, in one statement that locks the cart and its products' rows, decides and commits
 * (the SQL function place_order, drizzle/0006_hot_row_functions.sql; invariant 12).
 */
async function orderInLedger(cartId: string, contact: Contact, quotedCents: number | null): Promise<Outcome> {
  const [row] = await pg()<{ outcome: Outcome | { kind: "refused"; code: "cart_empty" | "cart_expired" } }[]>`
    select place_order(${cartId}::uuid, ${contact.email}, ${contact.name}, ${quotedCents}::bigint) as outcome`;
  if (!row) throw new Error("place_order answered no row");
  const { outcome } = row;
  if (outcome.kind !== "refused") return outcome;
  throw outcome.code === "cart_expired"
    ? new ShopError("cart_expired", "Your hold ended: nothing is held for you now.")
    : new ShopError("cart_empty", "Your cart is empty.");
}

import "server-only";
import type { TransactionSql } from "postgres";
import { pg } from "../db/client";
import { ShopError } from "../shop-error";
import { lockInventoryInOrder, sellUnits } from "../inventory/counters";
import { releaseCart } from "../cart/release";
import { forgetCartsInRedis } from "../cart/redis-cart";
import { log, reason } from "../log";
import { holdMetrics } from "../metrics/hold-metrics";
import { authorizePayment, capturePayment, voidPayment, type Authorization } from "./payment";
import { findOrder, type OrderView } from "./orders";
import type { Contact } from "./schemas";

type Outcome =
  | { kind: "placed"; orderId: string; offersClaimed: number }
  | { kind: "already"; orderId: string }
  | { kind: "overdue" }
  | { kind: "changed" };

type Line = { productId: number; quantity: number; unitPriceCents: number };

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
      outcome = await pg().begin((tx) => orderInTx(tx, cartId, contact, quotedCents));
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
    throw new ShopError("cart_expired", "Your cart expired before the order was placed; its items went back to stock.");
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

async function orderInTx(
  tx: TransactionSql,
  cartId: string,
  contact: Contact,
  quotedCents: number | null,
): Promise<Outcome> {
  // Pipelined: the lines are read right after the cart's row is locked, in one round trip.
  const [[cart], lines] = await Promise.all([
    tx<{ state: "active" | "expired" | "checked_out"; live: boolean }[]>`
      select state, expires_at > now() as live from carts where id = ${cartId} for update`,
    tx<Line[]>`
      select r.product_id as "productId", r.quantity, p.price_cents as "unitPriceCents"
        from reservations r join products p on p.id = r.product_id
       where r.cart_id = ${cartId} order by r.product_id`,
  ]);
  if (!cart) throw new ShopError("cart_empty", "Your cart is empty.");
  if (cart.state === "checked_out") {
    const [existing] = await tx<{ id: string }[]>`select id from orders where cart_id = ${cartId}`;
    if (!existing) throw new Error(`cart ${cartId} is checked out without an order`);
    return { kind: "already", orderId: existing.id };
  }
  if (cart.state === "expired") throw new ShopError("cart_expired", "Your cart has expired.");
  if (!cart.live) return { kind: "overdue" };
  if (lines.length === 0) throw new ShopError("cart_empty", "Your cart is empty.");
  const totalCents = lines.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0);
  if (totalCents !== quotedCents) return { kind: "changed" };

  const [order] = await tx<{ id: string }[]>`
    insert into orders (cart_id, email, name, total_cents)
    values (${cartId}, ${contact.email}, ${contact.name}, ${totalCents}) returning id`;
  if (!order) throw new Error("order insert returned nothing");

  // The products' rows last: a hot product's row is held from here to commit, two round trips,
  // whatever else the order writes. The sale, the order's lines, the cart's end and the claimed
  // offers (units handed from a waiting line: their place in line ends) go in one pipeline.
  await lockInventoryInOrder(
    tx,
    lines.map((l) => l.productId),
  );
  // Sold first: with one product, that statement is what takes its row's lock, and the offers
  // (a change of the product's waiting line) go only under it.
  const sold = lines.map((line) => sellUnits(tx, line.productId, line.quantity));
  const [claimed] = await Promise.all([
    tx<{ units: number }[]>`
      with gone as (delete from waitlist_entries where offer_cart_id = ${cartId} returning offered_units)
      select coalesce(sum(offered_units), 0)::int as units from gone`,
    tx`
      insert into order_lines (order_id, product_id, quantity, unit_price_cents)
      select ${order.id}::uuid, * from unnest(${lines.map((l) => l.productId)}::int[], ${lines.map((l) => l.quantity)}::int[],
                                              ${lines.map((l) => l.unitPriceCents)}::int[])`,
    tx`delete from reservations where cart_id = ${cartId}`,
    tx`
      update carts set state = 'checked_out', ended_at = now(), version = version + 1
       where id = ${cartId} and state = 'active'`,
    ...sold,
  ]);
  return { kind: "placed", orderId: order.id, offersClaimed: claimed[0]?.units ?? 0 };
}

import "server-only";
import { explainUnknown } from "../catalog/variants";
import type { WaitlistEntry } from "../hold/cart-types";
import type { PendingQuery, Row, Sql, TransactionSql } from "postgres";
import { config } from "../base/config";
import { pg } from "../db/client";
import { productArchived, ShopError } from "../base/shop-error";
import { giveBack } from "../cart/mutations";
import { publishStockChanges } from "../hold/stock-events";
import { holdMetrics } from "../hold/hold-metrics";

export type { WaitlistEntry };

export type Waiter = { waiterId: string; clientKey: string; cartId: string | null };

type EntryRow = {
  product_id: number;
  slug: string;
  name: string;
  quantity: number;
  position: number | null;
  draw_at_ms: number | null;
  offered_units: number | null;
  expires_at_ms: number | null;
  ttl_ms: number | null;
};

const toEntry = (r: EntryRow): WaitlistEntry => ({
  productId: r.product_id,
  slug: r.slug,
  name: r.name,
  quantity: r.quantity,
  position: r.offered_units === null && r.draw_at_ms === null ? r.position : null,
  drawAt: r.offered_units === null && r.draw_at_ms !== null ? new Date(Number(r.draw_at_ms)).toISOString() : null,
  offer:
    r.offered_units === null || r.expires_at_ms === null
      ? null
      : { units: r.offered_units, expiresAt: new Date(Number(r.expires_at_ms)).toISOString(), ttlMs: r.ttl_ms ?? 0 },
});

/**
 * The caller joins the line for a product that cannot be held now (docs/design.md, "Wait and hand off").
 * Refused when enough are available (add it instead), when already waiting, and past the
 * client's share (invariant 9: units held plus units waited for, per product; and at most
 * MAX_LINES lines per client, so a client's entries stay bounded, invariant 10). The caller's
 * active cart becomes the one that units handed to them go into.
 */
async function addEntry(
  waiter: Waiter,
  productId: number,
  quantity: number,
): Promise<{ entry: WaitlistEntry; available: number }> {
  const { maxQtyPerLine, maxLines, holdLimits } = config();
  const capped = holdLimits && waiter.clientKey !== "";
  // One statement (the SQL function join_line): the product's row is locked and committed in one
  // round trip (invariant 12).
  const [joined] = await pg()<{ outcome: { entryId: string } | Refusal }[]>`
    select join_line(${productId}::int, ${waiter.waiterId}::uuid, ${waiter.clientKey}, ${quantity}::int,
                     ${waiter.cartId}::uuid, ${capped}, ${maxQtyPerLine}::int, ${maxLines}::int) as outcome`;
  if (!joined) throw new Error("join_line answered no row");
  if ("code" in joined.outcome) throw joinRefusal(joined.outcome);
  const joinedId = joined.outcome.entryId;
  // Read after commit, off the product's row lock: the place in line as it is now, and the
  // stock the line's watchers are told of.
  const [row] = await pg()<(EntryRow & { available: number })[]>`
    select e.*, i.available
      from (${entrySelect(pg())} where w.id = ${joinedId}) e join inventory i on i.product_id = e.product_id`;
  if (!row) throw new ShopError("not_found", "You are not in line for this item.");
  return { entry: toEntry(row), available: row.available };
}

/** How join_line refused: a code and what the message needs. */
type Refusal = {
  code: "unknown_product" | "product_archived" | "in_stock" | "hold_limit" | "already_waiting" | "already_holding";
  details: Record<string, number>;
};

/** A refusal of join_line, worded as the shopper reads it. */
function joinRefusal({ code, details }: Refusal): ShopError {
  const { available = 0, held = 0, waiting = 0, perShopperLimit, lines = 0, maxLines } = details;
  switch (code) {
    case "unknown_product":
      return new ShopError("unknown_product", "No such product.");
    case "product_archived":
      return productArchived();
    case "in_stock":
      return new ShopError("in_stock", `${available} in stock: add it to your cart instead.`, { available });
    case "already_holding":
      // With per-client caps the holder is anyone at the caller's address, maybe another browser.
      return new ShopError(
        "already_holding",
        details.held === undefined
          ? "It is in your cart already: units you hold cannot also be waited for (they would come back to you)."
          : "A cart from your network already holds it, and this store counts a network as one shopper: one shopper cannot wait for what it holds.",
        { held },
      );
    case "already_waiting":
      return details.draw
        ? new ShopError("already_waiting", "You are already in the draw for this item (one entry per shopper).")
        : new ShopError("already_waiting", "You are already in line for this item.");
    case "hold_limit":
      return perShopperLimit !== undefined
        ? new ShopError(
            "hold_limit",
            held + waiting > 0
              ? `Limit ${perShopperLimit} per shopper: you already hold or wait for ${held + waiting} of this item.`
              : `Limit ${perShopperLimit} per shopper.`,
            { held, waiting, perShopperLimit },
          )
        : new ShopError(
            "hold_limit",
            `You are already waiting in ${lines} lines; one shopper can wait in ${maxLines}.`,
            {
              lines,
              maxLines,
            },
          );
  }
}

/**
 * The entry columns with the position in line and the offer's deadline (database clock). The
 * line's order is the draw's ranks first, then arrival (drizzle/0008_drops.sql); a drop's entry
 * has no place until its draw, only the time of it. The place counts the entries ahead in the
 * order of the line's index (product, draw rank, joined at, id), as ranges of it: each read
 * scans only the entries ahead, where one condition with ORs scanned and tested the whole line
 * (every entry of a line of 4,500 reading its place: 0.37-0.44 ms a read against 0.71-0.88 ms).
 */
const entrySelect = (tx: Sql | TransactionSql) => {
  const ahead = (where: PendingQuery<Row[]>) =>
    tx`(select count(*)::int from waitlist_entries a
         where a.product_id = w.product_id and a.offer_cart_id is null and ${where})`;
  const earlier = tx`(a.joined_at, a.id) < (w.joined_at, w.id)`;
  return tx`
  select w.product_id, p.slug, p.name, w.quantity, w.offered_units,
         1 + case when w.draw_rank is null
                  then ${ahead(tx`a.draw_rank is not null`)} + ${ahead(tx`a.draw_rank is null and ${earlier}`)}
                  else ${ahead(tx`a.draw_rank < w.draw_rank`)} + ${ahead(tx`a.draw_rank = w.draw_rank and ${earlier}`)}
             end as position,
         case when p.release_at is not null and p.drawn_at is null
              then (extract(epoch from p.release_at) * 1000)::float8 end as draw_at_ms,
         (extract(epoch from c.expires_at) * 1000)::float8 as expires_at_ms,
         floor(extract(epoch from c.expires_at - now()) * 1000)::int as ttl_ms
    from waitlist_entries w
    join products p on p.id = w.product_id
    left join carts c on c.id = w.offer_cart_id`;
};

/** The caller's places in line and open offers, by product. */
export async function entriesOf(waiterId: string | null): Promise<WaitlistEntry[]> {
  if (!waiterId) return [];
  const rows = await pg()<EntryRow[]>`${entrySelect(pg())} where w.waiter_id = ${waiterId} order by w.product_id`;
  return rows.map(toEntry);
}

/**
 * Leaves the line for a product. An open offer is declined with it: its units leave the waiter's
 * cart, which frees them for the next in line (through the cart's own line change, which hands
 * them over). Returns the cart the offer was in, for the caller to release the line from.
 */
async function removeEntry(
  waiterId: string | null,
  productId: number,
): Promise<{ offerCartId: string | null; offeredUnits: number }> {
  if (!waiterId) throw new ShopError("not_found", "You are not in line for this item.");
  // Under the product's row lock, like every change of its line (a hand-off never offers to an
  // entry that is leaving), and in one statement, which commits it (invariant 12).
  const [left] = await pg()<{ offer_cart_id: string | null; offered_units: number | null }[]>`
    with locked as (select product_id from inventory where product_id = ${productId} for update)
    delete from waitlist_entries
     where waiter_id = ${waiterId} and product_id = (select product_id from locked)
    returning offer_cart_id, offered_units`;
  if (!left) throw new ShopError("not_found", "You are not in line for this item.");
  return { offerCartId: left.offer_cart_id, offeredUnits: left.offered_units ?? 0 };
}

/**
 * Leaves the line, declining an open offer: the offered units (only those: what the shopper held
 * of it before stays) leave the waiter's cart through an ordinary line change, which hands them to
 * the next in line (invariant 8). The line's watchers hear of it. An offer checked out meanwhile
 * (the same shopper's checkout raced this) was claimed, not declined: 409 `cart_changed` says so,
 * so exactly one of the two is answered as done.
 */
export async function leaveWaitlist(waiterId: string | null, productId: number): Promise<void> {
  const { offerCartId, offeredUnits } = await removeEntry(waiterId, productId).catch(async (error: unknown) => {
    // Not in line because a checkout of the offer claimed the entry first: say that.
    if (
      error instanceof ShopError &&
      error.code === "not_found" &&
      waiterId &&
      (await boughtOffer(waiterId, productId))
    )
      throw alreadyBought();
    throw error;
  });
  if (offerCartId && offeredUnits > 0) {
    const given = await giveBack(offerCartId, productId, offeredUnits).then(
      () => true,
      (error: unknown) => {
        // An offer whose cart already ended has nothing left to give back.
        if (error instanceof ShopError && (error.code === "cart_expired" || error.code === "cart_not_found"))
          return false;
        throw error;
      },
    );
    if (given) holdMetrics.offerPassed(offeredUnits);
    else if (await wasCheckedOut(offerCartId)) throw alreadyBought();
  }
  await waitlistChanged(productId);
}

const alreadyBought = () =>
  new ShopError("cart_changed", "You have already checked out this item: it is in your order.");

/** An offer of `productId` to this waiter was just checked out (an order of the last minute holds it). */
const boughtOffer = async (waiterId: string, productId: number): Promise<boolean> =>
  (
    await pg()<{ bought: boolean }[]>`
      select exists (
        select 1 from carts c join orders o on o.cart_id = c.id join order_lines l on l.order_id = o.id
         where c.waiter_id = ${waiterId} and l.product_id = ${productId}
           and o.created_at > now() - interval '1 minute') as bought`
  )[0]?.bought === true;

const wasCheckedOut = async (cartId: string): Promise<boolean> =>
  (await pg()<{ state: string }[]>`select state::text from carts where id = ${cartId}`)[0]?.state === "checked_out";

/** Joins the line (see addEntry); the line's watchers hear that it grew. */
export async function joinWaitlist(waiter: Waiter, productId: number, quantity: number): Promise<WaitlistEntry> {
  // A product in variants has no line of its own: each variant has one (variant_required).
  const { entry, available } = await addEntry(waiter, productId, quantity).catch(async (error: unknown) => {
    throw await explainUnknown(error, productId);
  });
  // Pages watching the product re-read it; the joiner need not wait for that news to go out.
  void publishStockChanges([{ productId, available }]);
  return entry;
}

/** Pages watching the product re-read it (its `waiting`, and their place in line). */
export const waitlistChanged = async (productId: number) => {
  const [row] = await pg()<{ available: number }[]>`select available from inventory where product_id = ${productId}`;
  if (row) await publishStockChanges([{ productId, available: row.available }]);
};

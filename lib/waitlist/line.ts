import "server-only";
import type { WaitlistEntry } from "../cart/cart-types";
import type { Sql, TransactionSql } from "postgres";
import { config } from "../config";
import { pg } from "../db/client";
import { ShopError } from "../shop-error";
import { CLIENT_LOCK_NAMESPACE } from "../cart/hold-limits";
import { giveBack } from "../cart/mutations";
import { publishStockChanges } from "../inventory/stock-events";
import { holdMetrics } from "../metrics/hold-metrics";

export type { WaitlistEntry };

export type Waiter = { waiterId: string; clientKey: string; cartId: string | null };

type EntryRow = {
  product_id: number;
  slug: string;
  name: string;
  quantity: number;
  position: number | null;
  offered_units: number | null;
  expires_at_ms: number | null;
  ttl_ms: number | null;
};

const toEntry = (r: EntryRow): WaitlistEntry => ({
  productId: r.product_id,
  slug: r.slug,
  name: r.name,
  quantity: r.quantity,
  position: r.offered_units === null ? r.position : null,
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
async function joinLine(waiter: Waiter, productId: number, quantity: number): Promise<WaitlistEntry> {
  const { maxQtyPerLine, maxLines, holdLimits } = config();
  const capped = holdLimits && waiter.clientKey !== "";
  const joinedId = await pg().begin(async (tx) => {
    // Locks in the order every transaction takes them: the cart, the client, the product's row;
    // then the client's share, read after them. Pipelined (each statement still runs after the
    // one before), so a hot product's row is held for two round trips, not five.
    const [, , [stock], shares] = await Promise.all([
      waiter.cartId
        ? tx`
            update carts set waiter_id = ${waiter.waiterId}
             where id = ${waiter.cartId} and state = 'active' and expires_at > now()
               and waiter_id is distinct from ${waiter.waiterId}`
        : null,
      capped ? tx`select pg_advisory_xact_lock(${CLIENT_LOCK_NAMESPACE}, hashtext(${waiter.clientKey}))` : null,
      tx<{ available: number }[]>`select available from inventory where product_id = ${productId} for update`,
      capped
        ? tx<{ held: number; waiting: number; lines: number }[]>`
            select
              (select coalesce(sum(r.quantity), 0)::int from carts c join reservations r on r.cart_id = c.id
                where c.client_key = ${waiter.clientKey} and c.state = 'active' and r.product_id = ${productId}) as held,
              (select coalesce(sum(quantity), 0)::int from waitlist_entries
                where client_key = ${waiter.clientKey} and product_id = ${productId} and offer_cart_id is null) as waiting,
              (select count(*)::int from waitlist_entries where client_key = ${waiter.clientKey}) as lines`
        : [],
    ]);
    if (!stock) throw new ShopError("unknown_product", "No such product.");
    if (stock.available >= quantity) {
      throw new ShopError("in_stock", `${stock.available} in stock: add it to your cart instead.`, {
        available: stock.available,
      });
    }
    const [share] = shares;
    if (share) {
      const { held, waiting, lines } = share;
      if (held + waiting + quantity > maxQtyPerLine) {
        throw new ShopError(
          "hold_limit",
          `You already hold or wait for ${held + waiting} of this item; one shopper can have ${maxQtyPerLine}.`,
          { held, waiting, maxQtyPerLine },
        );
      }
      if (lines >= maxLines) {
        throw new ShopError(
          "hold_limit",
          `You are already waiting in ${lines} lines; one shopper can wait in ${maxLines}.`,
          {
            lines,
            maxLines,
          },
        );
      }
    }
    const [joined] = await tx<{ id: number }[]>`
      insert into waitlist_entries (product_id, waiter_id, client_key, quantity)
      values (${productId}, ${waiter.waiterId}, ${waiter.clientKey}, ${quantity})
      on conflict (product_id, waiter_id) do nothing
      returning id`;
    if (!joined) throw new ShopError("already_waiting", "You are already in line for this item.");
    return joined.id;
  });
  // Read after commit, off the product's row lock: the place in line as it is now.
  const [row] = await pg()<EntryRow[]>`${entrySelect(pg())} where w.id = ${joinedId}`;
  if (!row) throw new ShopError("not_found", "You are not in line for this item.");
  return toEntry(row);
}

/** The entry columns with the position in line and the offer's deadline (database clock). */
const entrySelect = (tx: Sql | TransactionSql) => tx`
  select w.product_id, p.slug, p.name, w.quantity, w.offered_units,
         (select count(*)::int + 1 from waitlist_entries a
           where a.product_id = w.product_id and a.offer_cart_id is null
             and (a.joined_at, a.id) < (w.joined_at, w.id)) as position,
         (extract(epoch from c.expires_at) * 1000)::float8 as expires_at_ms,
         floor(extract(epoch from c.expires_at - now()) * 1000)::int as ttl_ms
    from waitlist_entries w
    join products p on p.id = w.product_id
    left join carts c on c.id = w.offer_cart_id`;

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
async function leaveLine(
  waiterId: string | null,
  productId: number,
): Promise<{ offerCartId: string | null; offeredUnits: number }> {
  if (!waiterId) throw new ShopError("not_found", "You are not in line for this item.");
  const left = await pg().begin(async (tx) => {
    // Under the product's row lock, like every change of its line: a hand-off never offers to
    // an entry that is leaving.
    // Pipelined: one round trip.
    const [, [row]] = await Promise.all([
      tx`select 1 from inventory where product_id = ${productId} for update`,
      tx<{ offer_cart_id: string | null; offered_units: number | null }[]>`
        delete from waitlist_entries where waiter_id = ${waiterId} and product_id = ${productId}
        returning offer_cart_id, offered_units`,
    ]);
    return row;
  });
  if (!left) throw new ShopError("not_found", "You are not in line for this item.");
  return { offerCartId: left.offer_cart_id, offeredUnits: left.offered_units ?? 0 };
}

/**
 * Leaves the line, declining an open offer: the offered units (only those: what the shopper held
 * of it before stays) leave the waiter's cart through an ordinary line change, which hands them to
 * the next in line (invariant 8). The line's watchers hear of it.
 */
export async function leave(waiterId: string | null, productId: number): Promise<void> {
  const { offerCartId, offeredUnits } = await leaveLine(waiterId, productId);
  if (offerCartId && offeredUnits > 0) {
    holdMetrics.offerPassed(offeredUnits);
    await giveBack(offerCartId, productId, offeredUnits).catch((error: unknown) => {
      // An offer whose cart already ended has nothing left to give back.
      if (!(error instanceof ShopError && (error.code === "cart_expired" || error.code === "cart_not_found")))
        throw error;
    });
  }
  await lineChanged(productId);
}

/** Joins the line (see joinLine); the line's watchers hear that it grew. */
export async function join(waiter: Waiter, productId: number, quantity: number): Promise<WaitlistEntry> {
  const entry = await joinLine(waiter, productId, quantity);
  await lineChanged(productId);
  return entry;
}

/** Pages watching the product re-read it (its `waiting`, and their place in line). */
const lineChanged = async (productId: number) => {
  const [row] = await pg()<{ available: number }[]>`select available from inventory where product_id = ${productId}`;
  if (row) await publishStockChanges([{ productId, available: row.available }]);
};

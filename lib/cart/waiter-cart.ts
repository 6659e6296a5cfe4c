import "server-only";
import { pg } from "../db/client";

const NO_CART = "00000000-0000-0000-0000-000000000000";

/**
 * The cart a waiting shopper's requests act on: a live cart holding units handed to them from a
 * line (so the offer can be seen and claimed, even when the hand-off had to start a cart of its
 * own), else the one their cart cookie names while it is live, else their newest live cart.
 * Null when none is live.
 */
export async function waitersLiveCart(waiterId: string, fromCookie: string | null): Promise<string | null> {
  const [row] = await pg()<{ id: string }[]>`
    select c.id from carts c
     where c.state = 'active' and c.expires_at > now()
       and (c.id = ${fromCookie ?? NO_CART}::uuid or c.waiter_id = ${waiterId})
     order by exists (select 1 from waitlist_entries w where w.offer_cart_id = c.id and w.waiter_id = ${waiterId}) desc,
              (c.id = ${fromCookie ?? NO_CART}::uuid) desc, c.created_at desc
     limit 1`;
  return row?.id ?? null;
}

/** A cart a waiting shopper started: units handed to them go into it. */
export async function markWaitersCart(cartId: string, waiterId: string): Promise<void> {
  await pg()`update carts set waiter_id = ${waiterId} where id = ${cartId} and waiter_id is null`;
}

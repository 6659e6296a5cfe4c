import "server-only";
import { pg } from "../db/client";

/**
 * The cart a waiting shopper's requests act on: the one their cart cookie names while it is
 * live, else the cart that units handed to them went into (a hand-off may start a new cart,
 * which no cookie names yet). Null when neither is live.
 */
export async function waitersLiveCart(waiterId: string, fromCookie: string | null): Promise<string | null> {
  const [row] = await pg()<{ id: string }[]>`
    select id from carts
     where state = 'active' and expires_at > now()
       and (id = ${fromCookie ?? "00000000-0000-0000-0000-000000000000"}::uuid or waiter_id = ${waiterId})
     order by (id = ${fromCookie ?? "00000000-0000-0000-0000-000000000000"}::uuid) desc, created_at desc
     limit 1`;
  return row?.id ?? null;
}

/** A cart a waiting shopper started: units handed to them go into it. */
export async function markWaitersCart(cartId: string, waiterId: string): Promise<void> {
  await pg()`update carts set waiter_id = ${waiterId} where id = ${cartId} and waiter_id is null`;
}

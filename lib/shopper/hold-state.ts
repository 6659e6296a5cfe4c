import "server-only";
import { productSummaries } from "../catalog/product-summaries";
import { pg } from "../db/client";
import type { EndedHold, HoldState, ReleasedItem } from "../hold/cart-types";
import { entriesOf } from "../waitlist/entries";
import { getCart } from "../cart/read";

/**
 * The caller's cart; when it holds nothing, the hold that ended last, so any page can say which
 * items went back to stock (and a reload still does, until the shopper dismisses it, which forgets
 * the cart cookie). Postgres is asked only for a cookie whose cart is no longer live, and for the
 * places in line of a shopper who joined one.
 */
export async function readHoldState(cartId: string | null, waiterId: string | null = null): Promise<HoldState> {
  const [cart, waiting] = await Promise.all([getCart(cartId), entriesOf(waiterId)]);
  if (!cartId || cart.expiresAt !== null) return { cart, ended: null, waiting };
  return { cart, ended: await endedHold(cartId), waiting };
}

/** What a hold that ended without an order held, with how many of each are available now. */
export async function endedHold(cartId: string): Promise<EndedHold | null> {
  const rows = await pg()<{ product_id: number; quantity: number; available: number }[]>`
    select r.product_id, r.quantity, i.available
      from carts c
      cross join jsonb_to_recordset(c.released_lines) as r(product_id int, quantity int)
      join inventory i on i.product_id = r.product_id
     where c.id = ${cartId} and c.state = 'expired'
     order by r.product_id`;
  if (rows.length === 0) return null;
  const summaries = await productSummaries(rows.map((r) => r.product_id));
  const items: ReleasedItem[] = [];
  for (const row of rows) {
    const product = summaries.get(row.product_id);
    if (!product) continue;
    items.push({
      productId: product.id,
      slug: product.slug,
      name: product.name,
      imageUrl: product.imageUrl,
      unitPriceCents: product.priceCents,
      quantity: row.quantity,
      availableNow: row.available,
    });
  }
  return items.length > 0 ? { items } : null;
}

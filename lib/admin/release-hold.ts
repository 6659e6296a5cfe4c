import "server-only";
import { pg } from "../db/client";
import { logRelease, releaseCart, type Released } from "../hold/release";
import { ShopError } from "../base/shop-error";

/**
 * An operator ends a hold by hand (/admin): the cart the dashboard names by the first 8
 * characters of its id, released now through the one release function, so its units go back to
 * the line first and then to stock, exactly as when a hold runs out, and the release is logged
 * and counted as `path: "operator"`. A prefix that names no active cart, or several, changes
 * nothing.
 */
export async function releaseHoldByOperator(cartPrefix: string): Promise<Released> {
  if (!/^[0-9a-f]{8}$/.test(cartPrefix)) throw new ShopError("invalid_request", "Name the hold by its 8 characters.");
  const carts = await pg()<{ id: string }[]>`
    select id from carts
     where state = 'active' and id >= ${`${cartPrefix}-0000-0000-0000-000000000000`}::uuid
       and id <= ${`${cartPrefix}-ffff-ffff-ffff-ffffffffffff`}::uuid
     limit 2`;
  if (carts.length > 1) {
    throw new ShopError("cart_changed", `More than one hold starts with ${cartPrefix}: release them from the API.`);
  }
  const released = carts[0] ? await releaseCart(carts[0].id, "operator", "early") : null;
  if (!released) throw new ShopError("not_found", `The hold ${cartPrefix} has already ended.`);
  logRelease(released);
  return released;
}

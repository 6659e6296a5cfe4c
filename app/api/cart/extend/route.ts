import { extendHold } from "@/lib/cart/extend";
import { currentCartId, rememberCart } from "@/lib/http/cart-session";
import { json, mutation } from "@/lib/http/handler";

export const POST = mutation(async () => {
  const cartId = await currentCartId();
  const cart = await extendHold(cartId);
  // The cookie outlives the hold by a minute; it must now outlive the new deadline too.
  if (cartId) await rememberCart(cartId);
  return json({ cart });
});

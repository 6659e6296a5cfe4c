import { emptyCart } from "@/lib/cart/mutations";
import { getCart } from "@/lib/cart/read";
import { currentCartId, forgetCart } from "@/lib/http/cart-session";
import { json, mutation, route } from "@/lib/http/handler";

export const GET = route(async () => {
  const cartId = await currentCartId();
  const cart = await getCart(cartId);
  if (cartId && cart.expiresAt === null) await forgetCart();
  return json({ cart });
});

export const DELETE = mutation(async () => {
  await emptyCart(await currentCartId());
  await forgetCart();
  return json({ cart: await getCart(null) });
});

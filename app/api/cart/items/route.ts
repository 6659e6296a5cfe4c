import { addToCart } from "@/lib/cart/mutations";
import { addItemSchema } from "@/lib/cart/schemas";
import { stockUnitOf } from "@/lib/catalog/variants";
import { config } from "@/lib/base/config";
import { currentCartId, rememberCart } from "@/lib/http/cart-session";
import { json, mutation } from "@/lib/http/handler";
import { clientIp, readJson } from "@/lib/http/request";

export const POST = mutation(async (request) => {
  const { quantity, ...named } = await readJson(request, addItemSchema(config().maxQtyPerLine));
  const result = await addToCart(
    { cartId: await currentCartId(), clientIp: clientIp(request.headers) },
    await stockUnitOf(named),
    quantity,
  );
  if (result.created) await rememberCart(result.cartId);
  return json({ cart: result.cart });
});

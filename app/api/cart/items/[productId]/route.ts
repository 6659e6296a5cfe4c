import { removeLine, setLineQuantity } from "@/lib/cart/mutations";
import { setQuantitySchema } from "@/lib/cart/schemas";
import { config } from "@/lib/base/config";
import { currentCartId } from "@/lib/http/cart-session";
import { json, mutation } from "@/lib/http/handler";
import { parseProductId, readJson } from "@/lib/http/request";

type Context = RouteContext<"/api/cart/items/[productId]">;

export const PATCH = mutation(async (request, { params }: Context) => {
  const productId = parseProductId((await params).productId);
  const { quantity } = await readJson(request, setQuantitySchema(config().maxQtyPerLine));
  return json({ cart: await setLineQuantity(await currentCartId(), productId, quantity) });
});

export const DELETE = mutation(async (_request, { params }: Context) => {
  const productId = parseProductId((await params).productId);
  return json({ cart: await removeLine(await currentCartId(), productId) });
});

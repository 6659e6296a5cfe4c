import { placeOrder } from "@/lib/checkout/place-order";
import { contactSchema } from "@/lib/checkout/schemas";
import { currentCartId, forgetCart } from "@/lib/http/cart-session";
import { json, mutation } from "@/lib/http/handler";
import { rememberOrder } from "@/lib/http/order-session";
import { readJson } from "@/lib/http/request";

export const POST = mutation(async (request) => {
  const contact = await readJson(request, contactSchema);
  const { order } = await placeOrder(await currentCartId(), contact);
  await forgetCart();
  await rememberOrder(order.id);
  // The contract's item fields: pictures are for the confirmation page.
  const items = order.items.map(({ imageUrl: _img, ...item }) => item);
  return json({ order: { id: order.id, totalCents: order.totalCents, items } }, 201);
});

import { config } from "@/lib/base/config";
import { addItemSchema } from "@/lib/cart/schemas";
import { stockUnitOf } from "@/lib/catalog/variants";
import { currentCartId } from "@/lib/http/cart-session";
import { json, mutation, route } from "@/lib/http/handler";
import { clientIp, readJson } from "@/lib/http/request";
import { currentWaiterId, waiterIdForJoining } from "@/lib/http/waiter-session";
import { entriesOf, joinWaitlist } from "@/lib/waitlist/entries";

/** The caller's places in line, and the offers they turned into. */
export const GET = route(async () => json({ entries: await entriesOf(await currentWaiterId()) }));

/** Join the line for a product that cannot be held now: 201; 409 in_stock / already_waiting. */
export const POST = mutation(async (request) => {
  const { quantity, ...named } = await readJson(request, addItemSchema(config().maxQtyPerLine));
  const waiter = {
    waiterId: await waiterIdForJoining(),
    clientKey: clientIp(request.headers),
    cartId: await currentCartId(),
  };
  return json({ entry: await joinWaitlist(waiter, await stockUnitOf(named), quantity) }, 201);
});

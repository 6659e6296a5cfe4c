import { config } from "@/lib/base/config";
import { addItemSchema } from "@/lib/cart/schemas";
import { stockUnitOf } from "@/lib/catalog/variants";
import { currentCartId } from "@/lib/http/cart-session";
import { json, mutation, route } from "@/lib/http/handler";
import { clientIp, readJson } from "@/lib/http/request";
import { currentWaiterId, waiterIdForJoining } from "@/lib/http/waiter-session";
import { entriesWhenOffered, offerWaitSeconds } from "@/lib/streams/offer-wait";
import { entriesOf, joinWaitlist } from "@/lib/waitlist/entries";

/**
 * The caller's places in line, and the offers they turned into. With `?wait=N` (1-25 s), a long
 * poll: answered once one of them is offered units, or after N seconds (lib/streams/offer-wait.ts).
 */
export const GET = route(async (request) => {
  const wait = offerWaitSeconds(new URL(request.url).searchParams.get("wait"));
  const waiterId = await currentWaiterId();
  const entries =
    waiterId && wait > 0 ? await entriesWhenOffered(waiterId, wait * 1_000, request.signal) : await entriesOf(waiterId);
  return json({ entries });
});

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

import { currentCartId } from "@/lib/http/cart-session";
import { json, mutation, route } from "@/lib/http/handler";
import { clientIp, readJson } from "@/lib/http/request";
import { joinLine, lineJoinSchema } from "@/lib/http/line-join";
import { currentWaiterId, waiterIdForJoining } from "@/lib/http/waiter-session";
import { lineRead } from "@/lib/streams/offer-wait";

/**
 * The caller's places in line, and the offers they turned into. With `?wait=N` (1-25 s), a long
 * poll: answered once one of them is offered units, or after N seconds (lib/streams/offer-wait.ts).
 * The production web server answers it at its door (lib/http/door/line-read.ts): this route
 * serves `npm run dev`.
 */
export const GET = route(async (request) =>
  json(await lineRead(await currentWaiterId(), new URL(request.url).searchParams.get("wait"), request.signal)),
);

/**
 * Join the line for a product that cannot be held now: 201; 409 in_stock / already_waiting. The
 * production web server answers it at its door (lib/http/door/line-join.ts): this route serves
 * `npm run dev`.
 */
export const POST = mutation(async (request) => {
  const body = await readJson(request, lineJoinSchema());
  const waiter = {
    waiterId: await waiterIdForJoining(),
    clientKey: clientIp(request.headers),
    cartId: await currentCartId(),
  };
  return json(await joinLine(body, waiter), 201);
});

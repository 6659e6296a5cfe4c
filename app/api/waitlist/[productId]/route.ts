import { json, mutation } from "@/lib/http/handler";
import { parseProductId } from "@/lib/http/request";
import { currentWaiterId } from "@/lib/http/waiter-session";
import { leaveWaitlist } from "@/lib/waitlist/entries";

type Context = RouteContext<"/api/waitlist/[productId]">;

/** Leave the line; an open offer is declined with it and passes to the next in line. */
export const DELETE = mutation(async (_request, { params }: Context) => {
  const productId = parseProductId((await params).productId);
  await leaveWaitlist(await currentWaiterId(), productId);
  return json({ left: true });
});

import "server-only";
import type { z } from "zod";
import { config } from "../base/config";
import { addItemSchema } from "../cart/schemas";
import { stockUnitOf } from "../catalog/variants";
import type { WaitlistEntry } from "../hold/cart-types";
import { joinWaitlist, type Waiter } from "../waitlist/entries";

/**
 * Joining the line, `POST /api/waitlist`: its body, and what it does with it. One reading for its
 * two servers, the door of the production web server (lib/http/door/line-join.ts) and Next's
 * route (app/api/waitlist, under `npm run dev`), which differ only in how they read cookies.
 */

/** The body: a product (or one of its variants) and a quantity, as an add's. */
export const lineJoinSchema = () => addItemSchema(config().maxQtyPerLine);

/** Puts `waiter` in the line for the units named; the answer's body (201). */
export async function joinLine(
  { quantity, ...named }: z.infer<ReturnType<typeof lineJoinSchema>>,
  waiter: Waiter,
): Promise<{ entry: WaitlistEntry }> {
  return { entry: await joinWaitlist(waiter, await stockUnitOf(named), quantity) };
}

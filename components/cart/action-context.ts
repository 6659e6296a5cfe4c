import "server-only";
import { headers } from "next/headers";
import type { CartView, HoldState } from "@/lib/hold/cart-types";
import { config } from "@/lib/base/config";
import { readHoldState } from "@/lib/shopper/hold-state";
import { currentCartId } from "@/lib/http/cart-session";
import { clientIp } from "@/lib/http/request";
import { productIdSchema } from "@/lib/cart/schemas";
import { formBody, parseAction, runAction, type ActionResult, type ActionWording } from "@/lib/http/server-action";
import { currentWaiterId } from "@/lib/http/waiter-session";
import { holdDuration } from "@/components/product/hold-duration";

/** What the shopper's actions share (the cart's, components/cart/actions.ts; the waiting line's, components/waitlist/actions.ts). */

export type CartActionResult = ActionResult<{ cart: CartView; note?: string }>;
export type HoldActionResult = ActionResult<{ state: HoldState; note?: string }>;

/** The shopper's cart and network, as the routes take them. */
export const caller = async () => ({ cartId: await currentCartId(), clientIp: clientIp(await headers()) });

/** The cart and the waiting line's entries as the page shows them. */
export const holdState = async (cartId: string | null) => readHoldState(cartId, await currentWaiterId());

/** How long a hold lasts, in words ("10 minutes"). */
export const holdFor = () => holdDuration(config().cartTtlSeconds);

/** The API says "quantity: must be at most 10"; a shopper is told what to choose instead. */
export const shopperWording: ActionWording = {
  invalid_quantity: () => `Choose a quantity from 1 to ${config().maxQtyPerLine}; one shopper can hold that many.`,
};

/** Runs a shopper's action: a refusal comes back as a value, and the page re-renders after a change ("N left"). */
export const run = <T extends object>(work: () => Promise<T>) => runAction(work, { refresh: true });

/** The product id a plain form posts (the API has it in the path), parsed as the routes parse it. */
export const formProductId = (form: FormData): number =>
  parseAction(productIdSchema, formBody(form, { numbers: ["productId"] }).productId);

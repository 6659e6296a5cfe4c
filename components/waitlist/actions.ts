"use server";

import { addItemSchema, productIdSchema } from "@/lib/cart/schemas";
import { stockUnitOf, type Named } from "@/lib/catalog/variants";
import { config } from "@/lib/base/config";
import { currentCartId } from "@/lib/http/cart-session";
import { answerForm, parseAction, readForm, returnPath } from "@/lib/http/server-action";
import { postedForm } from "@/lib/http/posted-form";
import { currentWaiterId, waiterIdForJoining } from "@/lib/http/waiter-session";
import { joinWaitlist, leaveWaitlist } from "@/lib/waitlist/entries";
import {
  caller,
  formProductId,
  holdState,
  run,
  shopperWording,
  type HoldActionResult,
} from "@/components/cart/action-context";

/**
 * The waiting line's server actions, and their plain-form twins (no JavaScript: a redirect to a
 * page that shows the result). Like the cart's (components/cart/actions.ts), they parse with the
 * API routes' own schemas and answer refusals through the one error map (lib/http/server-action.ts).
 */

/** POST /api/waitlist, as an action: the body `{ productId, quantity }`. */
async function join({ quantity, ...named }: Named & { quantity: number }) {
  const { clientIp: clientKey, cartId } = await caller();
  const productId = await stockUnitOf(named);
  const entry = await joinWaitlist({ waiterId: await waiterIdForJoining(), clientKey, cartId }, productId, quantity);
  const state = await holdState(cartId);
  return {
    state,
    // The page itself then shows the place (or the draw) and what happens next: the note only
    // confirms the step, so a page without JavaScript does not say the place twice.
    note: entry.drawAt ? `You entered the draw for the ${entry.name}.` : `You joined the line for the ${entry.name}.`,
  };
}

/** DELETE /api/waitlist/[productId], as an action. */
async function leave(productId: number) {
  await leaveWaitlist(await currentWaiterId(), productId);
  return { state: await holdState(await currentCartId()), note: "You left the line." };
}

/** Joins the line for a product that cannot be held now (invariant 8: units that come back go to the line first). */
export async function joinWaitlistAction(productId: number, quantity: number): Promise<HoldActionResult> {
  return run(() => join(parseAction(addItemSchema(config().maxQtyPerLine), { productId, quantity }, shopperWording)));
}

/** Leaves the line; an open offer is declined with it and passes to the next in line. */
export async function leaveWaitlistAction(productId: number): Promise<HoldActionResult> {
  return run(() => leave(parseAction(productIdSchema, productId)));
}

export async function joinWaitlistForm(form: FormData): Promise<void> {
  postedForm(form); // anything but a form: 404, before anything changes
  const body = { numbers: ["productId", "quantity"] };
  const result = await run(() => join(readForm(addItemSchema(config().maxQtyPerLine), form, body, shopperWording)));
  await answerForm(result, returnPath(form, "/"));
}

export async function leaveWaitlistForm(form: FormData): Promise<void> {
  postedForm(form); // anything but a form: 404, before anything changes
  await answerForm(await run(() => leave(formProductId(form))), returnPath(form, "/"));
}

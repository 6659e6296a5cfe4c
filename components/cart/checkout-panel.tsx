"use client";

import { useCartStore } from "./cart-store";
import { CheckoutForm } from "./checkout-form";

/**
 * The checkout step, shown while the cart holds something and kept when the hold ends (the
 * form then waits, with what was typed, for the items to be held again).
 */
export function CheckoutPanel() {
  const shown = useCartStore((s) => s.cart.items.length > 0 || s.ended !== null);
  return shown ? <CheckoutForm /> : null;
}

"use client";

import { useCartStore } from "./cart-store";
import { CheckoutForm } from "./checkout-form";

/** The checkout step, shown while the cart holds something (or to explain why it no longer does). */
export function CheckoutPanel() {
  const hasItems = useCartStore((s) => s.cart.items.length > 0);
  return hasItems ? <CheckoutForm /> : null;
}

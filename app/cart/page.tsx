import type { Metadata } from "next";
import { CartLines } from "@/components/cart/cart-lines";
import { CheckoutPanel } from "@/components/cart/checkout-panel";

export const metadata: Metadata = { title: "Your cart" };

export default function CartPage() {
  return (
    <section aria-labelledby="cart-heading" className="mx-auto grid max-w-4xl gap-8 md:grid-cols-[3fr_2fr]">
      <div>
        <h1 id="cart-heading" className="mb-6 text-3xl font-bold tracking-tight">
          Your cart
        </h1>
        <CartLines />
      </div>
      <CheckoutPanel />
    </section>
  );
}

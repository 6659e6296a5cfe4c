import type { Metadata } from "next";
import { CartLines } from "@/components/cart/cart-lines";

export const metadata: Metadata = { title: "Your cart" };

export default function CartPage() {
  return (
    <section aria-labelledby="cart-heading" className="mx-auto max-w-2xl">
      <h1 id="cart-heading" className="mb-6 text-3xl font-bold tracking-tight">
        Your cart
      </h1>
      <CartLines />
    </section>
  );
}

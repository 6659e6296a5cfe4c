"use client";

import { useState, useTransition } from "react";
import { addToCartAction } from "@/app/actions/cart";
import { useCartStoreApi } from "./cart-store";
import { withLine, type ProductRef } from "./optimistic";
import { useAvailable } from "@/components/product/live-stock";

/**
 * Add-to-cart through a server action. The badge moves at once (optimistic); a refusal rolls it
 * back and the reason is announced in an aria-live region ("Only 2 left.").
 */
export function AddToCart({
  product,
  available: rendered,
  withQuantity = false,
}: {
  product: ProductRef;
  available: number;
  withQuantity?: boolean;
}) {
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [quantity, setQuantity] = useState(1);
  const store = useCartStoreApi();
  const available = useAvailable(product.id, rendered);
  const soldOut = available <= 0;

  function add() {
    const { cart: before, setCart } = store.getState();
    setCart(withLine(before, product, (current) => current + quantity));
    setMessage(null);
    startTransition(async () => {
      const result = await addToCartAction(product.id, quantity);
      if (result.ok) {
        setCart(result.cart);
        setMessage({ text: `Added ${quantity} × ${product.name} to your cart.`, error: false });
      } else {
        setCart(before);
        setMessage({ text: result.error.message, error: true });
      }
    });
  }

  const inputId = `qty-${product.id}`;
  return (
    <form
      className="flex flex-col gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        add();
      }}
    >
      <div className="flex items-end gap-2">
        {withQuantity && (
          <label htmlFor={inputId} className="flex flex-col text-sm text-stone-600">
            Quantity
            <input
              id={inputId}
              type="number"
              min={1}
              max={99}
              value={quantity}
              onChange={(e) => setQuantity(Math.max(1, Math.floor(Number(e.target.value) || 1)))}
              className="mt-1 w-20 rounded-md border border-stone-300 px-2 py-2 text-stone-900"
            />
          </label>
        )}
        <button
          type="submit"
          disabled={soldOut || pending}
          className="rounded-md bg-stone-900 px-4 py-2 font-medium text-white transition hover:bg-stone-700 disabled:cursor-not-allowed disabled:bg-stone-300 disabled:text-stone-600"
          aria-label={soldOut ? `${product.name} is sold out` : `Add ${product.name} to cart`}
        >
          {soldOut ? "Sold out" : pending ? "Adding…" : "Add to cart"}
        </button>
      </div>
      <p
        aria-live="polite"
        role="status"
        className={`min-h-5 text-sm ${message?.error ? "text-red-700" : "text-emerald-700"}`}
      >
        {message?.text}
      </p>
    </form>
  );
}

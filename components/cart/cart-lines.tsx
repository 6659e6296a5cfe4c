"use client";

import Image from "next/image";
import Link from "next/link";
import { useState, useTransition } from "react";
import { emptyCartAction, setQuantityAction } from "@/app/actions/cart";
import { formatCents } from "@/components/product/money";
import { useCartStore, useCartStoreApi } from "./cart-store";
import { Countdown } from "./countdown";
import { withLine } from "./optimistic";

/** The cart's lines with steppers and remove, used by the cart page and the slide-over. */
export function CartLines({ compact = false }: { compact?: boolean }) {
  const store = useCartStoreApi();
  const cart = useCartStore((s) => s.cart);
  const expiredNotice = useCartStore((s) => s.expiredNotice);
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<string | null>(null);

  function change(productId: number, quantity: number) {
    const { cart: before, setCart } = store.getState();
    const item = before.items.find((i) => i.productId === productId);
    if (!item) return;
    setCart(withLine(before, { ...item, id: productId, priceCents: item.unitPriceCents }, () => quantity));
    setMessage(null);
    startTransition(async () => {
      const result = await setQuantityAction(productId, quantity);
      if (result.ok) setCart(result.cart);
      else {
        setCart(before);
        setMessage(result.error.message);
      }
    });
  }

  function empty() {
    startTransition(async () => {
      const result = await emptyCartAction();
      if (result.ok) store.getState().setCart(result.cart);
      else setMessage(result.error.message);
    });
  }

  return (
    <div className="flex flex-col gap-4">
      <p aria-live="polite" role="status" className="text-sm text-red-700 empty:hidden">
        {message ??
          (expiredNotice && cart.items.length === 0
            ? "Your cart expired, so its items went back to stock for other shoppers."
            : "")}
      </p>
      {cart.items.length === 0 && expiredNotice ? (
        <p className="text-stone-600">
          <Link href="/" className="font-medium text-stone-900 underline underline-offset-2">
            Start again with what is still in stock
          </Link>
          .
        </p>
      ) : cart.items.length === 0 ? (
        <p className="text-stone-600">
          Your cart is empty.{" "}
          <Link href="/" className="font-medium text-stone-900 underline underline-offset-2">
            Browse the shop
          </Link>
          .
        </p>
      ) : (
        <>
          <Countdown />
          <ul className="divide-y divide-stone-200" aria-label="Items in your cart">
            {cart.items.map((item) => (
              <li key={item.productId} className="flex flex-wrap items-center gap-3 py-3">
                <Image
                  src={item.imageUrl}
                  alt=""
                  width={compact ? 48 : 72}
                  height={compact ? 48 : 72}
                  unoptimized
                  className="rounded-md bg-stone-100"
                />
                <div className="min-w-0 flex-1 basis-36">
                  <Link href={`/products/${item.slug}`} className="block font-medium text-stone-900 hover:underline">
                    {item.name}
                  </Link>
                  <p className="text-sm text-stone-600">{formatCents(item.unitPriceCents)} each</p>
                </div>
                <div className="flex items-center gap-1" role="group" aria-label={`Quantity of ${item.name}`}>
                  <button
                    type="button"
                    className="h-8 w-8 rounded-md border border-stone-300 text-lg leading-none hover:bg-stone-100"
                    aria-label={`Remove one ${item.name}`}
                    onClick={() => change(item.productId, item.quantity - 1)}
                  >
                    −
                  </button>
                  <span className="w-8 text-center tabular-nums" data-testid={`qty-${item.slug}`}>
                    {item.quantity}
                  </span>
                  <button
                    type="button"
                    className="h-8 w-8 rounded-md border border-stone-300 text-lg leading-none hover:bg-stone-100"
                    aria-label={`Add one more ${item.name}`}
                    onClick={() => change(item.productId, item.quantity + 1)}
                  >
                    +
                  </button>
                </div>
                <button
                  type="button"
                  className="ml-1 text-sm text-stone-600 underline underline-offset-2 hover:text-red-700"
                  aria-label={`Remove ${item.name} from cart`}
                  onClick={() => change(item.productId, 0)}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
          <div className="flex items-center justify-between border-t border-stone-200 pt-3">
            <span className="text-stone-600">Subtotal</span>
            <span className="text-lg font-semibold tabular-nums" data-testid="subtotal">
              {formatCents(cart.subtotalCents)}
            </span>
          </div>
          {!compact && (
            <button
              type="button"
              onClick={empty}
              disabled={pending}
              className="self-start text-sm text-stone-600 underline underline-offset-2 hover:text-red-700"
            >
              Empty cart
            </button>
          )}
        </>
      )}
    </div>
  );
}

"use client";

import Image from "next/image";
import { ShopLink } from "@/components/layout/shop-link";
import { useState, useTransition, type FormEvent } from "react";
import { formatCents } from "@/lib/base/money";
import { emptyCartAction, emptyCartForm, setQuantityAction, setQuantityForm } from "./actions";
import { useCartStore, useCartStoreApi } from "./cart-store";
import { HoldSummary } from "./countdown";
import { ReturnTo } from "./hold-notices";
import { withLine } from "./optimistic";
import { busy } from "@/components/busy";
import { LiveStockProvider, useAvailable } from "@/components/product/live-stock";
import { useInBrowser } from "@/components/product/in-browser";
import type { CartItem } from "@/lib/hold/cart-types";

const stepper =
  "flex h-11 w-11 items-center justify-center rounded-md border border-stone-300 bg-white text-xl leading-none hover:bg-stone-100 aria-disabled:cursor-not-allowed aria-disabled:opacity-40";

/**
 * "+" on a line: unavailable (it keeps its place and focus) at the limit per line, and while
 * the live stock says none is left to add, the rest being in this cart or in others'. Until the
 * stock is known (the server's render, a page without JavaScript) it is offered, and a refusal
 * says why.
 */
function OneMore({ item, atLimit }: { item: CartItem; atLimit: boolean }) {
  const noneLeft = useAvailable(item.productId, Number.POSITIVE_INFINITY) <= 0;
  const inBrowser = useInBrowser();
  return (
    <button
      type="submit"
      name="quantity"
      value={item.quantity + 1}
      {...busy(false, atLimit || noneLeft, inBrowser)}
      title={atLimit ? "That is as many as one shopper can hold." : noneLeft ? "None left to add." : undefined}
      className={stepper}
      aria-label={`Add one more ${item.name}`}
    >
      +
    </button>
  );
}

/**
 * The cart's lines with steppers and remove, used by the cart page and the slide-over. Each line
 * is a form whose buttons carry the new quantity, so it works without JavaScript; with it the
 * change shows at once and a refusal puts the line back.
 */
export function CartLines({ compact = false }: { compact?: boolean }) {
  const store = useCartStoreApi();
  const cart = useCartStore((s) => s.cart);
  const ended = useCartStore((s) => s.ended);
  const maxQty = useCartStore((s) => s.settings.maxQtyPerLine);
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<string | null>(null);

  function change(productId: number, quantity: number) {
    const { cart: before, setCart, adoptCart } = store.getState();
    const item = before.items.find((i) => i.productId === productId);
    if (!item) return;
    setCart(withLine(before, { ...item, id: productId, priceCents: item.unitPriceCents }, () => quantity));
    setMessage(null);
    startTransition(async () => {
      const result = await setQuantityAction(productId, quantity);
      if (result.ok) adoptCart(result.cart);
      else {
        setCart(before);
        setMessage(result.error.message);
      }
    });
  }

  function onLineSubmit(productId: number) {
    return (event: FormEvent<HTMLFormElement>) => {
      event.preventDefault();
      const button = (event.nativeEvent as SubmitEvent).submitter;
      if (button instanceof HTMLButtonElement) change(productId, Number(button.value));
    };
  }

  function empty(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    startTransition(async () => {
      const result = await emptyCartAction();
      if (result.ok) store.getState().adoptCart(result.cart);
      else setMessage(result.error.message);
    });
  }

  return (
    <div className="flex flex-col gap-4">
      <p aria-live="polite" role="status" className="text-sm text-red-700 empty:hidden">
        {message}
      </p>
      {cart.items.length === 0 ? (
        <p className="text-stone-600">
          {ended ? "Nothing is held for you now." : "Your cart is empty."}{" "}
          <ShopLink href="/" className="font-medium text-stone-900 underline underline-offset-2">
            Browse the shop
          </ShopLink>
          .
        </p>
      ) : (
        <>
          <HoldSummary />
          <LiveStockProvider productIds={cart.items.map((i) => i.productId)}>
            <ul className="divide-y divide-stone-200" aria-label="Items in your cart">
              {cart.items.map((item) => (
                <li key={item.productId} className="flex flex-wrap items-center gap-x-4 gap-y-3 py-4">
                  <ShopLink href={`/products/${item.slug}`} tabIndex={-1} aria-hidden="true" className="shrink-0">
                    <Image
                      src={item.imageUrl}
                      alt=""
                      width={compact ? 56 : 80}
                      height={compact ? 56 : 80}
                      unoptimized
                      className="rounded-lg border border-stone-200 bg-stone-100"
                    />
                  </ShopLink>
                  <div className="min-w-0 flex-1 basis-32">
                    <ShopLink
                      href={`/products/${item.slug}`}
                      className="block font-medium text-stone-900 hover:underline"
                    >
                      {item.name}
                    </ShopLink>
                    <p className="text-sm text-stone-600">{formatCents(item.unitPriceCents)} each</p>
                    <p className="text-sm font-medium tabular-nums text-stone-900">
                      {formatCents(item.unitPriceCents * item.quantity)}
                    </p>
                  </div>
                  <form
                    action={setQuantityForm}
                    onSubmit={onLineSubmit(item.productId)}
                    className="ml-auto flex items-center gap-3"
                  >
                    <input type="hidden" name="productId" value={item.productId} />
                    <ReturnTo />
                    <div className="flex items-center gap-1" role="group" aria-label={`Quantity of ${item.name}`}>
                      <button
                        type="submit"
                        name="quantity"
                        value={item.quantity - 1}
                        className={stepper}
                        aria-label={`Remove one ${item.name}`}
                      >
                        −
                      </button>
                      <span className="w-8 text-center font-medium tabular-nums" data-testid={`qty-${item.slug}`}>
                        {item.quantity}
                      </span>
                      <OneMore item={item} atLimit={item.quantity >= maxQty} />
                    </div>
                    <button
                      type="submit"
                      name="quantity"
                      value={0}
                      className="min-h-11 whitespace-nowrap px-1 text-sm text-stone-600 underline underline-offset-2 hover:text-red-700"
                      aria-label={`Remove ${item.name} from cart`}
                    >
                      Remove
                    </button>
                  </form>
                </li>
              ))}
            </ul>
          </LiveStockProvider>
          <div className="flex items-center justify-between border-t border-stone-200 pt-3">
            <span className="text-stone-600">Subtotal</span>
            <span className="text-lg font-semibold tabular-nums" data-testid="subtotal">
              {formatCents(cart.subtotalCents)}
            </span>
          </div>
          {!compact && (
            <form action={emptyCartForm} onSubmit={empty}>
              <ReturnTo />
              <button
                type="submit"
                {...busy(pending)}
                className="min-h-11 text-sm text-stone-600 underline underline-offset-2 hover:text-red-700"
              >
                Empty cart
              </button>
            </form>
          )}
        </>
      )}
    </div>
  );
}

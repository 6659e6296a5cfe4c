"use client";

import { ShopLink } from "@/components/layout/shop-link";
import { useRef, useState, useSyncExternalStore } from "react";
import { CartLines } from "./cart-lines";
import { itemCount, useCartStore } from "./cart-store";

const noop = () => () => {};
/** False in the server's HTML (and so without JavaScript), true once the page is hydrated. */
const useHydrated = () =>
  useSyncExternalStore(
    noop,
    () => true,
    () => false,
  );

// One line, however narrow the screen: the count never wraps under "Cart".
const badgeClass =
  "relative inline-flex min-h-10 items-center whitespace-nowrap rounded-md px-2 py-1.5 font-medium text-stone-900 hover:bg-stone-100 sm:min-h-11 sm:px-3 sm:py-2";

/**
 * Header badge; opens the slide-over cart (a modal <dialog>: focus trap and Esc for free). In
 * the server's HTML it is a link to the cart page, which is what it stays without JavaScript.
 */
export function CartButton() {
  const count = useCartStore((s) => itemCount(s.cart));
  const dialog = useRef<HTMLDialogElement>(null);
  // Lines render only while open: one countdown and one set of controls on the page at a time.
  const [open, setOpen] = useState(false);
  const hydrated = useHydrated();
  const close = () => dialog.current?.close();
  const label = `Cart, ${count} item${count === 1 ? "" : "s"}`;
  const badge = (
    <span
      data-testid="cart-count"
      data-hold-count
      className="ml-2 inline-flex min-w-6 justify-center rounded-full bg-stone-900 px-2 text-sm text-white"
    >
      {count}
    </span>
  );
  if (!hydrated) {
    return (
      <ShopLink href="/cart" className={badgeClass} aria-label={label}>
        Cart
        {badge}
      </ShopLink>
    );
  }
  return (
    <>
      <button
        type="button"
        onClick={() => {
          setOpen(true);
          dialog.current?.showModal();
        }}
        className={badgeClass}
        aria-label={label}
        aria-haspopup="dialog"
      >
        Cart
        {badge}
      </button>
      <dialog
        ref={dialog}
        aria-label="Your cart"
        onClose={() => setOpen(false)}
        onClick={(e) => e.target === dialog.current && close()}
        className="fixed inset-y-0 right-0 left-auto m-0 h-full max-h-none w-full max-w-md bg-white p-0 shadow-xl backdrop:bg-black/30"
      >
        <div className="flex h-full flex-col gap-4 p-5">
          <div className="flex items-center justify-between">
            <h2 className="text-lg font-semibold">Your cart</h2>
            <button
              type="button"
              onClick={close}
              className="h-11 w-11 rounded-md hover:bg-stone-100"
              aria-label="Close cart"
            >
              ✕
            </button>
          </div>
          <div className="flex-1 overflow-y-auto">{open && <CartLines compact />}</div>
          <ShopLink
            href="/cart"
            onClick={close}
            className="rounded-md bg-stone-900 px-4 py-3 text-center font-semibold text-white hover:bg-stone-700"
          >
            View cart and check out
          </ShopLink>
        </div>
      </dialog>
    </>
  );
}

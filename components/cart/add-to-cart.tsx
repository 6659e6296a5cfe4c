"use client";

import { ShopLink } from "@/components/layout/shop-link";
import { useState, useTransition } from "react";
import type { RenderedStock } from "@/components/product/live-stock";
import { useViewerState } from "@/components/product/use-viewer-state";
import { addToCartAction, addToCartForm } from "./actions";
import { useCartStore, useCartStoreApi } from "./cart-store";
import { ReturnTo } from "./hold-notices";
import { QuantityField } from "./quantity-field";
import { withLine, type ProductRef } from "./optimistic";
import { busy } from "@/components/busy";

/**
 * Add-to-cart: a plain form posting to a server action, so it works without JavaScript (the
 * cart page then shows what was added). With JavaScript the badge moves at once (optimistic); a
 * refusal rolls it back and the reason is announced ("Only 2 left."). While nothing can be held
 * the form gives way: the stock label says why (sold out, or all in shoppers' carts).
 */
export function AddToCart({
  product,
  rendered,
  withQuantity = false,
  perShopperLimit,
  returnTo,
}: {
  product: ProductRef;
  /** The product's stock as the page was rendered (a drop not yet open: the draw's form takes this place). */
  rendered: RenderedStock;
  withQuantity?: boolean;
  /** The product's own limit per shopper (invariant 9); MAX_QTY_PER_LINE bounds it either way. */
  perShopperLimit?: number;
  /** Where a refused plain form comes back to (default: this page's path). */
  returnTo?: string;
}) {
  const [pending, startTransition] = useTransition();
  // A success is told with the hold it made (`heldUntil`): it is true only while that hold lasts.
  const [message, setMessage] = useState<{ text: string; error: boolean; heldUntil?: string | null } | null>(null);
  const [quantity, setQuantity] = useState(1);
  const store = useCartStoreApi();
  const maxQty = Math.min(
    useCartStore((s) => s.settings.maxQtyPerLine),
    perShopperLimit ?? Infinity,
  );
  // "✓ Added" is true while the product is in the cart of the hold it was added to: once that hold
  // ends (or the line is removed elsewhere) it would contradict the page, so it goes, and it does
  // not come back with a later hold.
  const inCart = useCartStore((s) => s.cart.items.some((i) => i.productId === product.id));
  const heldUntil = useCartStore((s) => s.cart.expiresAt);
  const shown = message && (message.error || (inCart && message.heldUntil === heldUntil)) ? message : null;
  const viewer = useViewerState(product.id, rendered);

  function add() {
    const { cart: before, setCart, adoptCart } = store.getState();
    setCart(withLine(before, product, (current) => current + quantity));
    setMessage(null);
    startTransition(async () => {
      const result = await addToCartAction(product.id, quantity);
      if (result.ok) {
        adoptCart(result.cart);
        setMessage({
          text: result.note ?? `Added ${quantity} × ${product.name} to your cart.`,
          error: false,
          heldUntil: result.cart.expiresAt,
        });
      } else {
        setCart(before);
        setMessage({ text: result.error.message, error: true });
      }
    });
  }

  const status = (
    <div aria-live="polite" role="status" className="empty:hidden">
      {shown &&
        (shown.error ? (
          <p className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm font-medium text-red-800">
            {shown.text}
          </p>
        ) : (
          <p className="flex flex-wrap items-center gap-x-3 gap-y-1 rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm font-medium text-emerald-900">
            <span>✓ {shown.text}</span>
            <ShopLink href="/cart" className="font-semibold underline underline-offset-2">
              View cart
            </ShopLink>
          </p>
        ))}
    </div>
  );
  // Nothing to hold: the stock label says why, and the waiting line's form takes this place.
  if (!viewer.controls.add) return status;
  return (
    <form
      action={addToCartForm}
      className="flex flex-col gap-3"
      onSubmit={(e) => {
        e.preventDefault();
        add();
      }}
    >
      <input type="hidden" name="productId" value={product.id} />
      <ReturnTo to={returnTo} />
      <div className="flex items-end gap-2">
        <QuantityField
          id={`qty-${product.id}`}
          shown={withQuantity}
          value={quantity}
          max={maxQty}
          onChange={setQuantity}
        />
        <button
          type="submit"
          {...busy(pending)}
          className={`${withQuantity ? "h-12 flex-1 text-base" : "h-11 w-full"} rounded-md bg-stone-900 px-5 font-semibold text-white transition hover:bg-stone-700 aria-disabled:cursor-wait aria-disabled:bg-stone-500`}
          aria-label={`Add ${product.name} to cart`}
        >
          {pending ? "Adding…" : "Add to cart"}
        </button>
      </div>
      {withQuantity && (
        <p data-testid="per-shopper-limit" className="text-xs text-stone-500">
          Limit {maxQty} per shopper.
        </p>
      )}
      {status}
    </form>
  );
}

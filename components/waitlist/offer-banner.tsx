"use client";

import { ShopLink } from "@/components/layout/shop-link";
import { useTransition, type FormEvent } from "react";
import { useCartStore, useCartStoreApi } from "@/components/cart/cart-store";
import { useRemaining } from "@/components/cart/countdown";
import { formatRemaining } from "@/components/cart/countdown-format";
import { ReturnTo } from "@/components/cart/hold-notices";
import { busy } from "@/components/busy";
import { leaveWaitlistAction, leaveWaitlistForm } from "./actions";

/**
 * Units handed over from a waiting line, on whatever page is open: "The Wool Beanie you waited
 * for is held for you for 4:59", checkout one click away, or "No thanks" (it passes on at once).
 */
export function OfferBanner() {
  const store = useCartStoreApi();
  const waiting = useCartStore((s) => s.waiting);
  const offers = waiting.filter((e) => e.offer !== null);
  const holding = useCartStore((s) => s.cart.items.length > 0);
  const remaining = useRemaining();
  const [pending, startTransition] = useTransition();
  if (offers.length === 0 || !holding) return null;

  const decline = (productId: number) => (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    startTransition(async () => {
      const result = await leaveWaitlistAction(productId);
      if (result.ok) store.getState().adopt(result.state);
    });
  };
  return (
    <div className="mx-auto mb-6 flex max-w-4xl flex-col gap-3" data-testid="offers">
      {offers.map((offer) => (
        <section
          key={offer.productId}
          aria-labelledby={`offer-${offer.productId}`}
          className="flex flex-wrap items-center gap-x-4 gap-y-2 rounded-xl border border-emerald-300 bg-emerald-50 p-4 text-emerald-950"
        >
          <p role="alert" className="sr-only">
            Units you waited for are held for you.
          </p>
          <h2 id={`offer-${offer.productId}`} className="font-semibold">
            The {offer.name} you waited for is held for you
            {offer.offer && offer.offer.units > 1 ? ` (${offer.offer.units})` : ""}.
          </h2>
          {remaining !== null && (
            <p className="text-sm tabular-nums" aria-hidden="true">
              {formatRemaining(remaining)} left
            </p>
          )}
          <div className="ml-auto flex items-center gap-3">
            <ShopLink
              href="/cart#checkout"
              className="inline-flex min-h-11 items-center rounded-md bg-emerald-800 px-4 font-semibold text-white hover:bg-emerald-900"
            >
              Check out now
            </ShopLink>
            <form action={leaveWaitlistForm} onSubmit={decline(offer.productId)}>
              <input type="hidden" name="productId" value={offer.productId} />
              <ReturnTo />
              <button
                type="submit"
                {...busy(pending)}
                className="min-h-11 px-2 text-sm underline underline-offset-2"
                aria-label={`No thanks: pass the ${offer.name} to the next in line`}
              >
                No thanks
              </button>
            </form>
          </div>
        </section>
      ))}
    </div>
  );
}

"use client";

import { useEffect, useRef, useState } from "react";
import { refreshCartAction } from "@/app/actions/cart";
import type { StoreApi } from "zustand";
import { useCartStore, useCartStoreApi, type CartState } from "./cart-store";
import { formatRemaining, spokenRemaining } from "./countdown-format";

/**
 * "Your items are held for 14:32". The deadline comes from the server's ttlMs (the Redis key's
 * PTTL) laid on the browser's monotonic clock, so a wrong wall clock cannot skew it. At zero it
 * asks the server, which releases the cart if no worker has yet.
 */
export function Countdown() {
  const store = useCartStoreApi();
  const deadline = useCartStore((s) => s.deadline);
  const hasItems = useCartStore((s) => s.cart.items.length > 0);
  const [now, setNow] = useState<number | null>(null);
  const ended = useRef(false);

  useEffect(() => {
    if (deadline === null) return;
    ended.current = false;
    const tick = () => {
      const t = performance.now();
      setNow(t);
      if (t >= deadline && !ended.current) {
        ended.current = true;
        void expire(store);
      }
    };
    tick();
    const timer = setInterval(tick, 250);
    return () => clearInterval(timer);
  }, [deadline, store]);

  if (deadline === null || !hasItems || now === null) return null;
  const remaining = deadline - now;
  const urgent = remaining < 60_000;
  return (
    <p
      className={`rounded-md px-3 py-2 text-sm font-medium ${urgent ? "bg-red-100 text-red-800" : "bg-amber-50 text-amber-900"}`}
    >
      Your items are held for{" "}
      <span
        role="timer"
        aria-label={`${spokenRemaining(remaining)} left`}
        className="font-mono tabular-nums"
        data-testid="countdown"
      >
        {formatRemaining(remaining)}
      </span>
      {urgent && (
        <span className="sr-only" aria-live="polite">
          {" "}
          Less than a minute left.
        </span>
      )}
    </p>
  );
}

async function expire(store: StoreApi<CartState>): Promise<void> {
  const { setCart, markExpired } = store.getState();
  // The key may outlive the countdown by a few ms; ask until the server agrees it is over.
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const result = await refreshCartAction();
    if (result.ok && result.cart.items.length === 0) {
      markExpired();
      return;
    }
    if (result.ok && (result.cart.ttlMs ?? 0) > 1_000) {
      setCart(result.cart); // the server says there is time left after all
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

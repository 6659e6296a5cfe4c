"use client";

import { useSyncExternalStore } from "react";
import { useCartStore } from "./cart-store";
import { formatRemaining, remainingAt, spokenRemaining } from "./countdown-format";

// One clock for every countdown on the page, ticking only while something shows one.
const TICK_MS = 250;
let now = 0;
/** The wall clock at the last tick (Date.now), for saying "until 12:41" in the reader's time. */
let wallNow = 0;
const listeners = new Set<() => void>();
let ticker: ReturnType<typeof setInterval> | null = null;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (!ticker) {
    now = performance.now();
    ticker = setInterval(() => {
      now = performance.now();
      wallNow = Date.now();
      for (const l of listeners) l();
    }, TICK_MS);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && ticker) {
      clearInterval(ticker);
      ticker = null;
    }
  };
}

/** The last tick (stable between ticks, as useSyncExternalStore requires). */
function readClock(): number {
  if (now === 0) now = performance.now();
  return now;
}

function readWallClock(): number {
  if (wallNow === 0) wallNow = Date.now();
  return wallNow;
}

/** The reader's wall clock (ms since the epoch), ticking with the countdown; null in the server's render. */
export function useWallClock(): number | null {
  return useSyncExternalStore(subscribe, readWallClock, () => null);
}

/**
 * Milliseconds left on the hold, ticking; null when nothing is held. The deadline is the
 * server's ttlMs (the Redis key's PTTL) laid on the browser's monotonic clock, so a wrong wall
 * clock cannot skew it. The server's render (and hydration) shows ttlMs as it was read, so the
 * countdown is in the HTML before any script runs.
 */
export function useRemaining(): number | null {
  const deadline = useCartStore((s) => (s.cart.items.length > 0 ? s.deadline : null));
  const ttlMs = useCartStore((s) => s.cart.ttlMs);
  const clock = useSyncExternalStore(subscribe, readClock, () => null);
  if (deadline === null || ttlMs === null) return null;
  return remainingAt(deadline, ttlMs, clock);
}

export const useWarning = (remaining: number | null): boolean => {
  const warningSeconds = useCartStore((s) => s.settings.warningSeconds);
  return remaining !== null && remaining <= warningSeconds * 1000;
};

/**
 * The header's countdown, on every page while the cart holds anything: the one `role="timer"`
 * of the page (a timer is not announced as it ticks; the warning below it is, once).
 */
export function HoldTimer() {
  const remaining = useRemaining();
  const warning = useWarning(remaining);
  if (remaining === null) return null;
  return (
    <p
      className={`flex items-center gap-1 rounded-full px-2 py-1.5 text-sm font-semibold tabular-nums sm:gap-1.5 sm:px-3 ${
        warning ? "bg-red-700 text-white" : "bg-amber-100 text-amber-950"
      }`}
      data-testid="hold-timer"
    >
      <svg aria-hidden="true" viewBox="0 0 20 20" className="h-4 w-4 fill-current">
        <path d="M10 2a8 8 0 1 0 0 16 8 8 0 0 0 0-16Zm.75 4v3.69l2.53 2.53-1.06 1.06-2.97-2.97V6h1.5Z" />
      </svg>
      <span className="hidden sm:inline">Held for</span>
      <span className="sr-only sm:hidden">Items held for</span>
      <span role="timer" aria-label={`${spokenRemaining(remaining)} left`} data-testid="countdown">
        {formatRemaining(remaining)}
      </span>
    </p>
  );
}

/** The same countdown in words, where the cart is shown (not a second timer for screen readers). */
export function HoldSummary() {
  const remaining = useRemaining();
  const warning = useWarning(remaining);
  if (remaining === null) return null;
  return (
    <p
      className={`rounded-lg px-4 py-3 text-sm ${warning ? "bg-red-50 text-red-900" : "bg-amber-50 text-amber-950"}`}
      data-testid="hold-left"
    >
      These items are held for you for{" "}
      <strong className="font-semibold tabular-nums">{formatRemaining(remaining)}</strong>; nobody else can buy them
      until then.
    </p>
  );
}

"use client";

import Image from "next/image";
import { usePathname } from "next/navigation";
import { useEffect, useState, useTransition, type FormEvent } from "react";
import { LiveStockProvider, useAvailableReader } from "@/components/product/live-stock";
import type { EndedHold } from "@/lib/hold/cart-types";
import { endedHeading, endedItemStock, holdAgainLabel } from "./ended-hold-sentences";
import {
  dismissEndedAction,
  dismissEndedForm,
  extendHoldAction,
  extendHoldForm,
  holdAgainAction,
  holdAgainForm,
} from "./actions";
import { useCartStore, useCartStoreApi } from "./cart-store";
import { useRemaining, useWallClock, useWarning } from "./countdown";
import { SECONDS_MATTER_BELOW_S } from "./countdown-format";
import { timeOfDay } from "@/components/time/shop-time";
import { useInBrowser } from "@/components/product/in-browser";
import { holdDuration } from "@/components/product/hold-duration";
import { busy } from "@/components/busy";

/** The page a plain form (no JavaScript) comes back to. */
export function ReturnTo({ to }: { to?: string }) {
  const path = usePathname();
  // `to`: a page that names more than its path (a product's chosen variant, `?variant=`).
  return <input type="hidden" name="returnTo" value={to ?? path} />;
}

/** Runs `work` instead of the plain form post when JavaScript is there. */
const instead = (work: () => void) => (event: FormEvent<HTMLFormElement>) => {
  event.preventDefault();
  work();
};

/**
 * WCAG 2.2.1 (Timing Adjustable): HOLD_WARNING_SECONDS before the deadline, an alert offers to
 * keep the items longer with one action. The alert's words do not change while it shows, so a
 * screen reader announces it once; focus stays where the shopper is typing.
 *
 * Keeping them sets the hold to CART_TTL_SECONDS from the moment of the click (not the time left
 * plus that), and the button says so: "Keep my items until 12:41" in the reader's time, or, in
 * the server's render and without JavaScript, "Keep my items for 15 minutes from now". Once kept,
 * a visible status says until when, and is announced.
 */
const KEPT_SHOWN_MS = 10_000;

export function HoldWarning() {
  const store = useCartStoreApi();
  const remaining = useRemaining();
  const warning = useWarning(remaining);
  const wallClock = useWallClock();
  const { holdSeconds, warningSeconds } = useCartStore((s) => s.settings);
  const extensionsLeft = useCartStore((s) => s.cart.extensionsLeft ?? 0);
  const [pending, startTransition] = useTransition();
  const [refusal, setRefusal] = useState<string | null>(null);
  const [kept, setKept] = useState<string | null>(null);

  // In the reader's time, to the second for a short hold.
  const until = (at: number) => timeOfDay(new Date(at), { utc: false, seconds: holdSeconds < SECONDS_MATTER_BELOW_S });
  // The confirmation is a moment's news, not a fixture of the header.
  useEffect(() => {
    if (!kept) return;
    const done = setTimeout(() => setKept(null), KEPT_SHOWN_MS);
    return () => clearTimeout(done);
  }, [kept]);
  const extend = () => {
    if (pending) return;
    startTransition(async () => {
      const result = await extendHoldAction();
      if (result.ok) {
        setRefusal(null);
        const ttlMs = result.cart.ttlMs ?? holdSeconds * 1000;
        setKept(`Kept: your items are held until ${until(Date.now() + ttlMs)}.`);
        store.getState().adoptCart(result.cart);
      } else setRefusal(result.error.message);
    });
  };

  const label =
    wallClock !== null
      ? `Keep my items until ${until(wallClock + holdSeconds * 1000)}`
      : `Keep my items for ${holdDuration(holdSeconds)} from now`;
  return (
    <>
      <p role="status" className={kept && !warning ? "border-t border-emerald-200 bg-emerald-50" : "sr-only"}>
        {kept && !warning && (
          <span
            className="mx-auto block max-w-6xl px-4 py-1.5 text-sm font-medium text-emerald-900"
            data-testid="hold-kept"
          >
            {kept}
          </span>
        )}
      </p>
      {warning && (
        <div className="border-t border-red-200 bg-red-50 text-red-950" data-testid="hold-warning">
          <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-4 gap-y-1 px-3 py-1 sm:px-4 sm:py-2.5">
            <p role="alert" className="text-sm font-medium sm:text-base">
              {extensionsLeft > 0
                ? `Your hold ends in less than ${holdDuration(warningSeconds)}.`
                : `Your hold ends in less than ${holdDuration(warningSeconds)} and cannot be kept longer: check out to keep your items.`}
            </p>
            {refusal && <p className="text-sm">{refusal}</p>}
            {extensionsLeft > 0 && !refusal && (
              <form action={extendHoldForm} onSubmit={instead(extend)}>
                <ReturnTo />
                <button
                  type="submit"
                  {...busy(pending)}
                  className="min-h-9 rounded-md bg-red-800 px-3 py-1.5 text-sm font-semibold text-white hover:bg-red-900 aria-disabled:opacity-60 sm:min-h-11 sm:px-4 sm:py-2"
                >
                  {pending ? "Keeping them…" : label}
                </button>
              </form>
            )}
          </div>
        </div>
      )}
    </>
  );
}

/**
 * When a hold ended without an order (it ran out, or checkout found it over): which items went
 * back to stock, and one action that holds again what is still there, counted live from the stock
 * stream. The server keeps this until the shopper dismisses it, so a reload (or a page without
 * JavaScript) shows it too.
 */
export function HoldEnded() {
  const ended = useCartStore((s) => (s.cart.items.length === 0 ? s.ended : null));
  const [message, setMessage] = useState<{ text: string; path: string } | null>(null);
  const path = usePathname();
  const shown = message?.path === path ? message.text : null; // said on the page where it happened
  const onMessage = (text: string | null) => setMessage(text === null ? null : { text, path });
  if (!ended) {
    return shown ? (
      <p
        role="status"
        className="mx-auto mb-6 max-w-4xl rounded-lg border border-emerald-300 bg-emerald-50 px-4 py-3 font-medium text-emerald-900"
      >
        {shown}
      </p>
    ) : null;
  }
  return (
    <LiveStockProvider productIds={ended.items.map((i) => i.productId)}>
      <EndedNotice ended={ended} message={shown} onMessage={onMessage} />
    </LiveStockProvider>
  );
}

function EndedNotice({
  ended: rendered,
  message,
  onMessage,
}: {
  ended: EndedHold;
  message: string | null;
  onMessage: (message: string | null) => void;
}) {
  const store = useCartStoreApi();
  const [pending, startTransition] = useTransition();
  const availableNow = useAvailableReader();
  const ended: EndedHold = {
    items: rendered.items.map((i) => ({ ...i, availableNow: availableNow(i.productId, i.availableNow) })),
  };

  const run = (action: typeof holdAgainAction) =>
    startTransition(async () => {
      const result = await action();
      if (result.ok) {
        onMessage(result.note ?? null);
        store.getState().adopt(result.state);
      } else onMessage(result.error.message);
    });

  const label = holdAgainLabel(ended);
  // Without JavaScript, on the cart page, "Hold it again" submits the checkout form beside it. With
  // JavaScript it is a form of its own (as the checkout form's first button it would take Enter
  // in the e-mail field).
  const inBrowser = useInBrowser();
  const viaCheckoutForm = usePathname() === "/cart" && !inBrowser;
  return (
    <section
      aria-labelledby="hold-ended-heading"
      className="mx-auto mb-8 max-w-4xl rounded-xl border border-amber-300 bg-amber-50 p-5 text-amber-950"
      data-testid="hold-ended"
    >
      {/* Announced once when it appears (a heading cannot be an alert too). */}
      <p role="alert" className="sr-only">
        Your hold ended.
      </p>
      <h2 id="hold-ended-heading" className="text-lg font-semibold">
        {endedHeading(ended)}
      </h2>
      <ul className="mt-3 flex flex-col gap-2" aria-label="Released items">
        {ended.items.map((item) => (
          <li key={item.productId} className="flex items-center gap-3">
            <Image src={item.imageUrl} alt="" width={40} height={40} unoptimized className="rounded bg-white" />
            <span>
              {item.quantity} × {item.name}
              <span className="text-sm text-amber-900"> — {endedItemStock(item)}</span>
            </span>
          </li>
        ))}
      </ul>
      {message && (
        <p role="status" className="mt-3 text-sm">
          {message}
        </p>
      )}
      <div className="mt-4 flex flex-wrap items-center gap-3">
        {label && viaCheckoutForm ? (
          // The name and e-mail typed there come back with the page (components/cart/checkout-action.ts).
          <button
            type="submit"
            form="checkout"
            name="intent"
            value="hold-again"
            {...busy(pending)}
            onClick={(event) => {
              event.preventDefault();
              if (!pending) run(holdAgainAction);
            }}
            className="min-h-11 rounded-md bg-stone-900 px-5 py-2 font-semibold text-white hover:bg-stone-700 aria-disabled:opacity-60"
          >
            {label}
          </button>
        ) : label ? (
          <form action={holdAgainForm} onSubmit={instead(() => run(holdAgainAction))}>
            <ReturnTo />
            <button
              type="submit"
              {...busy(pending)}
              className="min-h-11 rounded-md bg-stone-900 px-5 py-2 font-semibold text-white hover:bg-stone-700 aria-disabled:opacity-60"
            >
              {label}
            </button>
          </form>
        ) : (
          <p className="text-sm">None of them is in stock right now.</p>
        )}
        <form action={dismissEndedForm} onSubmit={instead(() => run(dismissEndedAction))}>
          <ReturnTo />
          <button
            type="submit"
            {...busy(pending)}
            className="min-h-11 rounded-md px-3 py-2 text-sm font-medium text-amber-950 underline underline-offset-2 hover:bg-amber-100"
          >
            Dismiss
          </button>
        </form>
      </div>
    </section>
  );
}

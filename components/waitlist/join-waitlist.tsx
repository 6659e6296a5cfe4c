"use client";

import { useEffect, useRef, useState, useTransition, type FormEvent } from "react";
import { refreshHoldAction } from "@/components/cart/actions";
import { useCartStore, useCartStoreApi } from "@/components/cart/cart-store";
import { ReturnTo } from "@/components/cart/hold-notices";
import { ordinal } from "@/components/cart/ordinal";
import { QuantityField } from "@/components/cart/quantity-field";
import { LocalTime } from "@/components/product/local-time";
import { useStock, type RenderedStock } from "@/components/product/live-stock";
import { useViewerState } from "@/components/product/use-viewer-state";
import { busy } from "@/components/busy";
import { joinWaitlistAction, joinWaitlistForm, leaveWaitlistAction, leaveWaitlistForm } from "./actions";

// A line's length changes by the second in a drop; a page re-reads its own place at most this often.
const REFRESH_PLACE_MS = 2_000;
/** After a draw's time, when an entrant's page reads its result by itself (ms after the release). */
const DRAW_RESULT_READS_MS = [1_000, 3_000] as const;

/**
 * "Join the line": for a product that cannot be held now (sold out, or all in shoppers' carts).
 * Units that come back go to the line first, as a hold in the shopper's cart (invariant 8). Once
 * in line: the place, kept live from the stock stream, and "Leave the line". For a drop that has
 * not opened it is "Enter the draw" (invariant 11): until the draw the entry has no place, only
 * the time of the draw; then the offer's banner or the drawn place. A plain form without JavaScript.
 */
export function JoinWaitlist({
  product,
  rendered,
  withQuantity = false,
  returnTo,
}: {
  /** `perShopperLimit`: the product's own limit per shopper (invariant 9), if it has one. */
  product: { id: number; name: string; perShopperLimit?: number };
  rendered: RenderedStock;
  withQuantity?: boolean;
  /** Where a plain form comes back to (default: this page's path). */
  returnTo?: string;
}) {
  const store = useCartStoreApi();
  const stock = useStock(product.id, rendered);
  const entry = useCartStore((s) => s.waiting.find((e) => e.productId === product.id) ?? null);
  // Which of the line's forms this shopper is offered, if any (a holder is never offered its own line).
  const viewer = useViewerState(product.id, rendered);
  const maxQty = Math.min(
    useCartStore((s) => s.settings.maxQtyPerLine),
    product.perShopperLimit ?? Infinity,
  );
  const [quantity, setQuantity] = useState(1);
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const lastRefresh = useRef(0);

  // The line moved (someone joined, left, or was handed units): re-read this shopper's place.
  // So did a drop that opened (its draw gave every entrant an offer or a place). A change inside
  // the spacing is read at its end, not dropped: the last change is the one that must be read.
  const waitingNow = stock.waiting;
  const dropOpen = stock.drop === null;
  const inLine = entry !== null && entry.offer === null;
  useEffect(() => {
    if (!inLine) return;
    const readPlace = () => {
      lastRefresh.current = performance.now();
      void refreshHoldAction().then((r) => r.ok && store.setState({ waiting: r.state.waiting }));
    };
    const wait = lastRefresh.current + REFRESH_PLACE_MS - performance.now();
    if (wait <= 0) return readPlace();
    const timer = setTimeout(readPlace, wait);
    return () => clearTimeout(timer);
  }, [waitingNow, dropOpen, inLine, store]);

  // In the draw: when its time comes the page asks for the result itself too (the stream's news
  // of the opening may be late, or the stream down), a second after the release and again after.
  const drawAt = entry?.drawAt ?? null;
  useEffect(() => {
    if (!drawAt) return;
    const readResult = () => void refreshHoldAction().then((r) => r.ok && store.getState().adopt(r.state));
    const untilDraw = Math.max(0, new Date(drawAt).getTime() - Date.now());
    const timers = DRAW_RESULT_READS_MS.map((after) => setTimeout(readResult, untilDraw + after));
    return () => timers.forEach(clearTimeout);
  }, [drawAt, store]);

  const run = (work: () => ReturnType<typeof leaveWaitlistAction>) => (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setMessage(null);
    startTransition(async () => {
      const result = await work();
      // Joining shows the place in line itself; only a refusal, or leaving, needs words here.
      if (result.ok) {
        const joined = result.state.waiting.some((e) => e.productId === product.id);
        store.getState().adopt(result.state);
        setMessage(joined || !result.note ? null : { text: result.note, error: false });
      } else setMessage({ text: result.error.message, error: true });
    });
  };

  const status = (
    <p
      role="status"
      className={`text-sm empty:hidden ${message?.error ? "font-medium text-red-700" : "text-stone-700"}`}
    >
      {message?.text}
    </p>
  );
  // Leaving the line or the draw: a plain form without JavaScript.
  const leaveForm = (label: string) => (
    <form action={leaveWaitlistForm} onSubmit={run(() => leaveWaitlistAction(product.id))}>
      <input type="hidden" name="productId" value={product.id} />
      <ReturnTo to={returnTo} />
      <button
        type="submit"
        {...busy(pending)}
        className="min-h-11 text-sm text-stone-700 underline underline-offset-2 hover:text-red-700"
      >
        {label}
      </button>
    </form>
  );
  if (viewer.kind === "offered") return status; // handed over: the offer's banner says so
  if (viewer.kind === "drop-pending" && entry?.drawAt) {
    return (
      <div className="flex flex-col gap-2" data-testid="in-draw">
        <p className="rounded-md border border-violet-200 bg-violet-50 px-3 py-2 text-sm text-violet-950">
          <strong className="font-semibold">You&apos;re in the draw</strong> for{" "}
          {entry.quantity === 1 ? "one" : entry.quantity}. Results at <LocalTime iso={entry.drawAt} />: if you are
          drawn, it is held in your cart for you, and this page tells you.
        </p>
        {leaveForm("Leave the draw")}
        {status}
      </div>
    );
  }
  if (entry) {
    return (
      <div className="flex flex-col gap-2" data-testid="in-line">
        <p className="rounded-md border border-sky-200 bg-sky-50 px-3 py-2 text-sm text-sky-950">
          <strong className="font-semibold">You&apos;re {ordinal(entry.position ?? 1)} in line</strong> for{" "}
          {entry.quantity === 1 ? "one" : entry.quantity}. If units come back, they are held for you and this page tells
          you.
        </p>
        {leaveForm("Leave the line")}
        {status}
      </div>
    );
  }
  const join = viewer.controls.join;
  if (join === null) return status;
  const place = ordinal(stock.waiting + 1);
  const label = join === "draw" ? "Enter the draw" : `Join the line — you'd be ${place}`;
  return (
    <form
      action={joinWaitlistForm}
      onSubmit={run(() => joinWaitlistAction(product.id, quantity))}
      className="flex flex-col gap-2"
    >
      <input type="hidden" name="productId" value={product.id} />
      <ReturnTo to={returnTo} />
      <div className="flex items-end gap-2">
        <QuantityField
          id={`wait-qty-${product.id}`}
          shown={withQuantity}
          value={quantity}
          max={maxQty}
          onChange={setQuantity}
        />
        <button
          type="submit"
          {...busy(pending)}
          aria-label={
            join === "draw"
              ? `Enter the draw for ${product.name}`
              : `Join the line for ${product.name}, you'd be ${place}`
          }
          className={`${withQuantity ? "h-12 flex-1 text-base" : "h-11 w-full"} rounded-md border-2 border-stone-900 bg-white px-4 font-semibold text-stone-900 hover:bg-stone-100 aria-disabled:opacity-60`}
        >
          {pending ? "Joining…" : label}
        </button>
      </div>
      {stock.drop && (
        <p className="text-sm text-stone-600">
          Everyone who enters before <LocalTime iso={stock.drop.releaseAt} /> has the same chance: the order is drawn at
          random when the drop opens, so entering early makes no difference.
        </p>
      )}
      {status}
    </form>
  );
}

"use client";

import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { createStore, useStore, type StoreApi } from "zustand";
import type { CartView, EndedHold, HoldState, WaitlistEntry } from "@/lib/hold/cart-types";
import { refreshHoldAction } from "./actions";
import { useSharedRenderHold } from "./shared-render";

/** What the pages need of the configuration (the server passes it down). */
export type HoldSettings = {
  /** CART_TTL_SECONDS: how long a hold (and each extension) lasts. */
  holdSeconds: number;
  /** HOLD_WARNING_SECONDS: when the "keep my items" offer appears. */
  warningSeconds: number;
  /** MAX_QTY_PER_LINE: the most of one item a shopper can hold. */
  maxQtyPerLine: number;
};

export type CartState = {
  cart: CartView;
  /** performance.now() at which the hold ends, so the browser's wall clock never matters. */
  deadline: number | null;
  /** The hold that ended (expired, or refused at checkout) and what it released; null otherwise. */
  ended: EndedHold | null;
  /** The shopper's places in waiting lines, and the offers they turned into. */
  waiting: WaitlistEntry[];
  settings: HoldSettings;
  /** A cart this tab expects (optimistic) or restores (a refusal): not shared with other tabs. */
  setCart: (cart: CartView) => void;
  /** The server's word on the cart: shared with the shopper's other tabs. */
  adoptCart: (cart: CartView) => void;
  /** The server's word on the cart or the hold that ended: shared with the other tabs. */
  adopt: (state: HoldState) => void;
};

const deadlineOf = (cart: CartView) => (cart.ttlMs === null ? null : performance.now() + cart.ttlMs);
const fromServer = (state: HoldState) => ({
  cart: state.cart,
  deadline: deadlineOf(state.cart),
  ended: state.ended,
  waiting: state.waiting,
});

// The shopper's tabs share one cart (one cookie): what one tab learns from the server, all show.
const CHANNEL = "holdcart-cart";
const channel = typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel(CHANNEL);

function createCartStore(initial: HoldState, settings: HoldSettings): StoreApi<CartState> {
  return createStore<CartState>()((set, get) => {
    const apply = (state: HoldState) => set(fromServer(state));
    const share = (state: HoldState) => {
      apply(state);
      channel?.postMessage(state);
    };
    return {
      cart: initial.cart,
      deadline: deadlineOf(initial.cart),
      ended: initial.ended,
      waiting: initial.waiting,
      settings,
      setCart: (cart) => set({ cart, deadline: deadlineOf(cart) }),
      adoptCart: (cart) => share({ cart, ended: null, waiting: get().waiting }),
      adopt: share,
    };
  });
}

const CartStoreContext = createContext<StoreApi<CartState> | null>(null);

/**
 * One store per browser tab (and per request during server rendering), created from the
 * server's view of the hold so the first paint is already right; later server renders (after
 * an action's refresh) replace its contents. It also watches the hold: at the deadline it asks
 * the server (which releases the cart if no worker has yet), and it hears the other tabs.
 */
export function CartStoreProvider({
  state,
  settings,
  children,
}: {
  state: HoldState;
  settings: HoldSettings;
  children: ReactNode;
}) {
  const [store] = useState(() => createCartStore(state, settings));
  useEffect(() => {
    store.setState(fromServer(state));
  }, [state, store]);
  useSharedRenderHold(store);
  useHoldWatch(store);
  return <CartStoreContext.Provider value={store}>{children}</CartStoreContext.Provider>;
}

function useHoldWatch(store: StoreApi<CartState>): void {
  const deadline = useStore(store, (s) => s.deadline);
  const holding = useStore(store, (s) => s.cart.items.length > 0);
  // The products this shopper waits for (not yet handed over), as a stable key.
  const waitingFor = useStore(store, (s) =>
    s.waiting
      .filter((e) => e.offer === null)
      .map((e) => e.productId)
      .join(","),
  );

  // In a waiting line: the stock stream brings this shopper's own offers, on whatever page is
  // open; the page then reads its hold again and shows the offer with its countdown. While the
  // stream is refused (past a stream cap, or a proxy that will not stream), the page asks the line
  // itself by a long poll, answered at the offer: an offer lasts seconds, a refused stream is
  // tried again only 10-20 s later.
  useEffect(() => {
    if (!waitingFor) return;
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let polling: AbortController | null = null;
    const heard = () => void refreshHoldAction().then((r) => r.ok && store.getState().adopt(r.state));
    const stopPolling = () => {
      polling?.abort();
      polling = null;
    };
    const connect = () => {
      source = new EventSource(`/api/stock/stream?ids=${waitingFor}`);
      source.onopen = stopPolling;
      source.addEventListener("offer", heard);
      // A dropped stream is retried by EventSource itself; a refused one (429/503) is closed for good.
      source.onerror = () => {
        if (source?.readyState !== EventSource.CLOSED) return;
        retry = setTimeout(connect, 10_000 * (1 + Math.random()));
        if (!polling) {
          polling = new AbortController();
          void pollForOffer(polling.signal).then((offered) => offered && heard());
        }
      };
    };
    connect();
    return () => {
      clearTimeout(retry);
      stopPolling();
      source?.close();
    };
  }, [waitingFor, store]);

  // At the deadline, on whatever page: the badge empties and the page says what went back.
  useEffect(() => {
    if (deadline === null || !holding) return;
    let cancelled = false;
    const timer = setTimeout(
      () => void confirmEnded(store, () => cancelled),
      Math.max(0, deadline - performance.now()),
    );
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [deadline, holding, store]);

  useEffect(() => {
    const fromOtherTab = (event: MessageEvent<HoldState>) => store.setState(fromServer(event.data));
    // A tab in the background may have slept through the deadline: ask when it is looked at again.
    const onVisible = () => {
      if (document.visibilityState !== "visible" || store.getState().cart.items.length === 0) return;
      void refreshHoldAction().then((r) => r.ok && store.getState().adopt(r.state));
    };
    channel?.addEventListener("message", fromOtherTab);
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      channel?.removeEventListener("message", fromOtherTab);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [store]);
}

/**
 * Reads the waiting line by long polls (`GET /api/waitlist?wait=25`) until one of the shopper's
 * places is offered units (true), or it is in no line any more or the poll is stopped (false). A refused or failed read is
 * tried again a few seconds later.
 */
async function pollForOffer(signal: AbortSignal): Promise<boolean> {
  while (!signal.aborted) {
    try {
      const response = await fetch("/api/waitlist?wait=25", { signal, cache: "no-store" });
      if (response.ok) {
        const { entries } = (await response.json()) as { entries: { offer: unknown }[] };
        if (entries.some((e) => e.offer)) return true;
        if (entries.length === 0) return false; // no longer in any line: nothing to wait for
        continue;
      }
    } catch {
      if (signal.aborted) return false;
    }
    await new Promise((r) => setTimeout(r, 3_000 * (1 + Math.random())));
  }
  return false;
}

/** The key may outlive the countdown by a few ms: ask until the server agrees the hold is over. */
async function confirmEnded(store: StoreApi<CartState>, cancelled: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 10 && !cancelled(); attempt += 1) {
    const result = await refreshHoldAction();
    if (cancelled()) return;
    if (result.ok && result.state.cart.items.length === 0) {
      store.getState().adopt(result.state);
      return;
    }
    if (result.ok && (result.state.cart.ttlMs ?? 0) > 1_000) {
      store.getState().adopt(result.state); // the hold was kept longer (another tab extended it)
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

export function useCartStoreApi(): StoreApi<CartState> {
  const store = useContext(CartStoreContext);
  if (!store) throw new Error("useCartStore needs a <CartStoreProvider> above it");
  return store;
}

export function useCartStore<T>(selector: (state: CartState) => T): T {
  return useStore(useCartStoreApi(), selector);
}

export const itemCount = (cart: CartView) => cart.items.reduce((n, i) => n + i.quantity, 0);

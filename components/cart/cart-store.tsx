"use client";

import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { createStore, useStore, type StoreApi } from "zustand";
import type { CartView } from "@/lib/cart/cart-view";

export type CartState = {
  cart: CartView;
  /** performance.now() at which the hold ends, so the browser's wall clock never matters. */
  deadline: number | null;
  /** Set when the countdown ran out and the server confirmed the cart is gone. */
  expiredNotice: boolean;
  setCart: (cart: CartView) => void;
  markExpired: () => void;
};

export const EMPTY: CartView = { items: [], subtotalCents: 0, expiresAt: null, ttlMs: null };

const deadlineOf = (cart: CartView) => (cart.ttlMs === null ? null : performance.now() + cart.ttlMs);

function createCartStore(initial: CartView): StoreApi<CartState> {
  return createStore<CartState>()((set) => ({
    cart: initial,
    deadline: deadlineOf(initial),
    expiredNotice: false,
    setCart: (cart) =>
      set((state) => ({
        cart,
        deadline: deadlineOf(cart),
        expiredNotice: cart.items.length > 0 ? false : state.expiredNotice,
      })),
    markExpired: () => set({ cart: EMPTY, deadline: null, expiredNotice: true }),
  }));
}

const CartStoreContext = createContext<StoreApi<CartState> | null>(null);

/**
 * One store per browser tab (and per request during server rendering), created from the
 * server's view of the cart so the first paint is already right; later server renders
 * (after an action's refresh) replace its contents.
 */
export function CartStoreProvider({ cart, children }: { cart: CartView; children: ReactNode }) {
  const [store] = useState(() => createCartStore(cart));
  useEffect(() => store.getState().setCart(cart), [cart, store]);
  return <CartStoreContext.Provider value={store}>{children}</CartStoreContext.Provider>;
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

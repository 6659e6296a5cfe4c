"use client";

import { useCartStore } from "@/components/cart/cart-store";
import { useStock, type RenderedStock } from "./live-stock";
import { controlsFor, viewerState, type Controls, type ViewerState } from "./viewer-state";

/** Where this page's shopper stands on a product, live (components/product/viewer-state.ts). */
export function useViewerState(productId: number, rendered: RenderedStock): ViewerState & { controls: Controls } {
  const stock = useStock(productId, rendered);
  const mine = useCartStore((s) => s.cart.items.find((i) => i.productId === productId)?.quantity ?? 0);
  const entry = useCartStore((s) => s.waiting.find((e) => e.productId === productId) ?? null);
  const state = viewerState({
    available: stock.available,
    reserved: stock.reserved,
    mine,
    dropPending: stock.drop !== null,
    entry: entry && { offered: entry.offer !== null, inDraw: entry.drawAt !== null },
  });
  return { ...state, controls: controlsFor(state) };
}

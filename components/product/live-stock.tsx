"use client";

import { createContext, useContext, useEffect, useState, type ReactNode } from "react";

const LiveStockContext = createContext<ReadonlyMap<number, number>>(new Map());

/**
 * Keeps "N left" live on a page: one EventSource for the page's products, fed by the server's
 * stock stream (holds, releases and restocks of any shopper, any server, any worker).
 */
export function LiveStockProvider({ productIds, children }: { productIds: number[]; children: ReactNode }) {
  const [live, setLive] = useState<ReadonlyMap<number, number>>(new Map());
  const key = productIds.join(",");
  useEffect(() => {
    if (!key) return;
    const source = new EventSource(`/api/stock/stream?ids=${key}`);
    source.onmessage = (event: MessageEvent<string>) => {
      const changes = JSON.parse(event.data) as { productId: number; available: number }[];
      setLive((current) => {
        const next = new Map(current);
        for (const c of changes) next.set(c.productId, c.available);
        return next;
      });
    };
    return () => source.close();
  }, [key]);
  return <LiveStockContext.Provider value={live}>{children}</LiveStockContext.Provider>;
}

/** The live `available` of a product, or what the page was rendered with until news arrives. */
export function useAvailable(productId: number, rendered: number): number {
  return useContext(LiveStockContext).get(productId) ?? rendered;
}

"use client";

import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import type { StockChange } from "@/lib/inventory/stock-change";

const LiveStockContext = createContext<ReadonlyMap<number, number>>(new Map());

/** After a refusal (too many streams: 429/503), which EventSource never retries by itself. */
const RETRY_REFUSED_MS = 10_000;

/**
 * Keeps "N left" live on a page: one EventSource for the page's products, fed by the server's
 * stock stream (holds, releases and restocks of any shopper, any server, any worker).
 */
export function LiveStockProvider({ productIds, children }: { productIds: number[]; children: ReactNode }) {
  const [live, setLive] = useState<ReadonlyMap<number, number>>(new Map());
  const key = productIds.join(",");
  useEffect(() => {
    if (!key) return;
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const connect = () => {
      source = new EventSource(`/api/stock/stream?ids=${key}`);
      source.onmessage = (event: MessageEvent<string>) => {
        const changes = JSON.parse(event.data) as StockChange[];
        setLive((current) => {
          const next = new Map(current);
          for (const c of changes) next.set(c.productId, c.available);
          return next;
        });
      };
      source.onerror = () => {
        // A dropped connection is retried by EventSource itself; a refused one is closed for good.
        if (source?.readyState !== EventSource.CLOSED) return;
        retry = setTimeout(connect, RETRY_REFUSED_MS * (1 + Math.random()));
      };
    };
    connect();
    return () => {
      clearTimeout(retry);
      source?.close();
    };
  }, [key]);
  return <LiveStockContext.Provider value={live}>{children}</LiveStockContext.Provider>;
}

/** The live `available` of a product, or what the page was rendered with until news arrives. */
export function useAvailable(productId: number, rendered: number): number {
  return useContext(LiveStockContext).get(productId) ?? rendered;
}

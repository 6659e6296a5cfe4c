"use client";

import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import type { StockChange } from "@/lib/hold/stock-change";

/** A product's stock as a page was rendered with it (ProductView's fields). */
export type RenderedStock = {
  available: number;
  reserved: number;
  waiting: number;
  nextReleaseInMs: number | null;
  releaseAt: string | null;
  releaseInMs: number | null;
};

/** A product's stock now, as a shopper's page knows it. */
export type LiveStock = {
  available: number;
  reserved: number;
  /** Shoppers in line for it. */
  waiting: number;
  /**
   * When the first hold ends, on this page's `performance.now()` clock (the server's "ms until"
   * laid on the browser's monotonic clock, so a wrong wall clock cannot skew it); null when no
   * unit is held, and before the page is hydrated (use the rendered `nextReleaseInMs` then).
   */
  releaseDeadline: number | null;
  /** A drop not yet open: its release time (ISO, for showing) and when it is on this page's clock (null before hydration). */
  drop: { releaseAt: string; opensAt: number | null } | null;
};

type Live = { stock: ReadonlyMap<number, LiveStock>; hydratedAt: number | null };

const LiveStockContext = createContext<Live>({ stock: new Map(), hydratedAt: null });

/** After a refusal (too many streams: 429/503), which EventSource never retries by itself. */
const RETRY_REFUSED_MS = 10_000;

const deadlineIn = (ms: number | null, from: number): number | null => (ms === null ? null : from + ms);

/**
 * Keeps a page's stock live: one EventSource for the page's products, fed by the server's stock
 * stream (holds, releases and restocks of any shopper, any server, any worker).
 */
export function LiveStockProvider({ productIds, children }: { productIds: number[]; children: ReactNode }) {
  // When this page came to life in the browser (null on the server): the rendered times count from it.
  const [hydratedAt] = useState(() => (typeof window === "undefined" ? null : performance.now()));
  const [stock, setStock] = useState<ReadonlyMap<number, LiveStock>>(new Map());
  const key = productIds.join(",");
  useEffect(() => {
    if (!key) return;
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const connect = () => {
      source = new EventSource(`/api/stock/stream?ids=${key}`);
      source.onmessage = (event: MessageEvent<string>) => {
        const changes = JSON.parse(event.data) as StockChange[];
        const receivedAt = performance.now();
        setStock((current) => {
          const next = new Map(current);
          for (const c of changes) {
            next.set(c.productId, {
              available: c.available,
              reserved: c.reserved,
              waiting: c.waiting,
              releaseDeadline: deadlineIn(c.nextReleaseInMs, receivedAt),
              drop:
                c.releaseAt === null
                  ? null
                  : { releaseAt: c.releaseAt, opensAt: deadlineIn(c.releaseInMs, receivedAt) },
            });
          }
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
  const live = useMemo(() => ({ stock, hydratedAt }), [stock, hydratedAt]);
  return <LiveStockContext.Provider value={live}>{children}</LiveStockContext.Provider>;
}

/** The live stock of a product, or what the page was rendered with until news arrives. */
export function useStock(productId: number, rendered: RenderedStock): LiveStock {
  const { stock, hydratedAt } = useContext(LiveStockContext);
  return (
    stock.get(productId) ?? {
      available: rendered.available,
      reserved: rendered.reserved,
      waiting: rendered.waiting,
      // Counted from hydration: off by the page's load time at most, until the stream's first message.
      releaseDeadline: hydratedAt === null ? null : deadlineIn(rendered.nextReleaseInMs, hydratedAt),
      drop:
        rendered.releaseAt === null
          ? null
          : {
              releaseAt: rendered.releaseAt,
              opensAt: hydratedAt === null ? null : deadlineIn(rendered.releaseInMs, hydratedAt),
            },
    }
  );
}

/** Whether the product is a drop that has not opened (nobody may add it yet): live, or as rendered until news arrives. */
export function useDropPending(productId: number, renderedReleaseAt: string | null): boolean {
  const live = useContext(LiveStockContext).stock.get(productId);
  return live ? live.drop !== null : renderedReleaseAt !== null;
}

/** The live `available` of a product, or what the page was rendered with until news arrives. */
export function useAvailable(productId: number, rendered: number): number {
  return useContext(LiveStockContext).stock.get(productId)?.available ?? rendered;
}

/** Reads the live `available` of any product of the page (for lists of products, one hook call). */
export function useAvailableReader(): (productId: number, rendered: number) => number {
  const { stock } = useContext(LiveStockContext);
  return (productId, rendered) => stock.get(productId)?.available ?? rendered;
}

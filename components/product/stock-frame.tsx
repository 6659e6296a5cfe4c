"use client";

import type { ReactNode } from "react";
import { useAvailable } from "./live-stock";

/**
 * A product's card, marked `data-unavailable` while no unit can be held, live: its parts style
 * themselves from it (`group-data-[unavailable]:grayscale`), so the server renders the rest.
 */
export function StockFrame({
  productId,
  available,
  labelledBy,
  className,
  children,
}: {
  productId: number;
  available: number;
  labelledBy: string;
  className?: string;
  children: ReactNode;
}) {
  const unavailable = useAvailable(productId, available) <= 0;
  return (
    <article aria-labelledby={labelledBy} data-unavailable={unavailable ? "" : undefined} className={className}>
      {children}
    </article>
  );
}

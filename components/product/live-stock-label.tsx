"use client";

import { useAvailable } from "./live-stock";
import { StockLabel } from "./stock-label";

export function LiveStockLabel({
  productId,
  available,
  className,
}: {
  productId: number;
  available: number;
  className?: string;
}) {
  return <StockLabel available={useAvailable(productId, available)} className={className} />;
}

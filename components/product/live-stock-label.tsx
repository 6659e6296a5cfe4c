"use client";

import { useEffect, useState } from "react";
import { useCartStore } from "@/components/cart/cart-store";
import { DropCountdown } from "./drop-countdown";
import { useStock, type RenderedStock } from "./live-stock";
import { StockLabel } from "./stock-label";

/** How often a held product's countdown is redrawn. */
const TICK_MS = 250;

/** performance.now(), redrawn every TICK_MS while `ticking`; null before hydration. */
function useNow(ticking: boolean): number | null {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    const tick = () => setNow(performance.now());
    tick();
    if (!ticking) return;
    const timer = setInterval(tick, TICK_MS);
    return () => clearInterval(timer);
  }, [ticking]);
  return now;
}

/** The stock label of a product, kept live by the page's LiveStockProvider, with a ticking countdown while held. */
export function LiveStockLabel({
  productId,
  rendered,
  className,
}: {
  productId: number;
  rendered: RenderedStock;
  className?: string;
}) {
  const stock = useStock(productId, rendered);
  const mine = useCartStore((s) => s.cart.items.find((i) => i.productId === productId)?.quantity ?? 0);
  const held = stock.available <= 0 && stock.reserved > 0;
  const now = useNow(held && stock.releaseDeadline !== null);
  // Before hydration (and on the server), the time left as the page was rendered.
  const releaseInMs =
    stock.releaseDeadline !== null && now !== null ? stock.releaseDeadline - now : rendered.nextReleaseInMs;
  // A drop that has not opened: when it does is all there is to say (nobody can hold it before).
  if (stock.drop) {
    return (
      <span className={className}>
        <DropCountdown
          releaseAt={stock.drop.releaseAt}
          opensAt={stock.drop.opensAt}
          renderedInMs={rendered.releaseInMs}
        />
      </span>
    );
  }
  return (
    <StockLabel
      available={stock.available}
      reserved={stock.reserved}
      releaseInMs={releaseInMs}
      mine={mine}
      className={className}
    />
  );
}

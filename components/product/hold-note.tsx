"use client";

import type { RenderedStock } from "./live-stock";
import { useViewerState } from "./use-viewer-state";

/**
 * Before a shopper adds: how long adding it keeps it for them (only while there is something to
 * hold); before a drop opens, how long a unit the draw gives them is kept (`offerFor`).
 */
export function HoldNote({
  productId,
  rendered,
  holdFor,
  offerFor,
}: {
  productId: number;
  rendered: RenderedStock;
  holdFor: string;
  offerFor: string;
}) {
  const { note } = useViewerState(productId, rendered).controls;
  if (note === null) return null;
  return (
    <p className="flex items-center gap-2 text-sm text-stone-600">
      <svg aria-hidden viewBox="0 0 20 20" className="size-4 shrink-0 fill-none stroke-current" strokeWidth={1.6}>
        <circle cx="10" cy="10" r="7.5" />
        <path d="M10 5.5V10l3 2" strokeLinecap="round" />
      </svg>
      <span>
        {note === "draw"
          ? `If you are drawn, it is held in your cart for you for ${offerFor}, so nobody else can buy it while you decide.`
          : `Adding it holds it for you for ${holdFor}, so nobody else can buy it while you decide.`}
      </span>
    </p>
  );
}

"use client";

import { usePathname, useSearchParams } from "next/navigation";
import { useCartStore } from "@/components/cart/cart-store";

/** How long a page without JavaScript shows as it is before it waits for an offer (s). */
const SETTLE_SECONDS = 2;

/**
 * Without JavaScript, a shopper's page does not hear of the offer they wait for on a stream; this
 * makes the catalog and product pages of a shopper in line wait for it instead: a meta refresh,
 * inside <noscript> so only a page without scripts follows it, to the long poll of
 * app/waitlist/wait/route.ts, which sends the browser back to this page when the offer is made
 * (or after 25 s, with the place in line as it is then). Not on the cart or an order's page,
 * where the shopper may be typing: a reload would lose it.
 */
export function NoScriptOfferWait() {
  const path = usePathname();
  const query = useSearchParams().toString(); // a product's chosen variant (`?variant=`)
  // Not once an offer is made: the wait answers at once while one is open, and the page shows it.
  const waiting = useCartStore((s) => s.waiting.length > 0 && s.waiting.every((entry) => entry.offer === null));
  if (!waiting || !(path === "/" || path.startsWith("/products/"))) return null;
  const wait = `/waitlist/wait?back=${encodeURIComponent(query ? `${path}?${query}` : path)}`;
  // As markup: React hoists a <meta> element to <head>, out of the <noscript>.
  return (
    <noscript
      dangerouslySetInnerHTML={{ __html: `<meta http-equiv="refresh" content="${SETTLE_SECONDS}; url=${wait}">` }}
    />
  );
}

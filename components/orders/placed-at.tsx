"use client";

import { useInBrowser } from "@/components/product/in-browser";
import { dateAndTime } from "@/components/time/shop-time";

/**
 * When an order was placed, its zone named ("26 Nov 2026, 10:04 GMT-5"): in the shopper's time
 * zone once the page runs in their browser, in UTC in the server's render (components/time/).
 */
export function PlacedAt({ iso }: { iso: string }) {
  const inBrowser = useInBrowser();
  return <time dateTime={iso}>{dateAndTime(new Date(iso), { utc: !inBrowser })}</time>;
}

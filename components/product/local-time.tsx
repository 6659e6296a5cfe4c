"use client";

import { dayAndTime, timeOfDay } from "@/components/time/shop-time";
import { useInBrowser } from "./in-browser";

/**
 * A moment as the reader's clock shows it: "10:00" (with `withDay`, "5 Dec, 10:00"). The server
 * does not know the reader's zone, so the page is sent with the time in UTC, said so ("10:00
 * UTC"), and the browser puts it in its own zone once it runs (after hydration, which must
 * match the server's text).
 */
export function LocalTime({ iso, withDay = false }: { iso: string; withDay?: boolean }) {
  const utc = !useInBrowser();
  const at = new Date(iso);
  return <time dateTime={iso}>{withDay ? dayAndTime(at, { utc }) : timeOfDay(at, { utc })}</time>;
}

"use client";

import { useInBrowser } from "./in-browser";

const UTC_TIME = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "UTC" });
const UTC_DAY = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });

/**
 * A moment as the reader's clock shows it: "10:00" (with `withDay`, "5 Dec, 10:00"). The server
 * does not know the reader's zone, so the page is sent with the time in UTC, said so ("10:00
 * UTC"), and the browser puts it in its own zone once it runs (after hydration, which must
 * match the server's text).
 */
export function LocalTime({ iso, withDay = false }: { iso: string; withDay?: boolean }) {
  const inBrowser = useInBrowser();
  const at = new Date(iso);
  let text: string;
  if (inBrowser) {
    const time = at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    text = withDay ? `${at.toLocaleDateString([], { day: "numeric", month: "short" })}, ${time}` : time;
  } else {
    text = `${withDay ? `${UTC_DAY.format(at)}, ` : ""}${UTC_TIME.format(at)} UTC`;
  }
  return <time dateTime={iso}>{text}</time>;
}

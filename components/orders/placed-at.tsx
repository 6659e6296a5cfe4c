"use client";

import { useSyncExternalStore } from "react";

/** Date and time, with the zone named ("26 Nov 2026, 15:04 UTC"; dateStyle cannot name a zone). */
export const PLACED_AT_FORMAT: Intl.DateTimeFormatOptions = {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "numeric",
  minute: "2-digit",
  timeZoneName: "short",
};

const utc = new Intl.DateTimeFormat("en-GB", { ...PLACED_AT_FORMAT, timeZone: "UTC" });
const local = () => new Intl.DateTimeFormat(undefined, PLACED_AT_FORMAT);

const noSubscription = () => () => {};

/**
 * When an order was placed, in the shopper's own locale and time zone ("Nov 26, 2026, 10:04 AM
 * EST"). The server cannot know them: it renders the time in UTC, said so, until the browser
 * takes over.
 */
export function PlacedAt({ iso }: { iso: string }) {
  const shown = useSyncExternalStore(
    noSubscription,
    () => local().format(new Date(iso)),
    () => utc.format(new Date(iso)),
  );
  return <time dateTime={iso}>{shown}</time>;
}

/**
 * How the shop writes a moment, one way everywhere: day month year and a 24-hour clock ("5 Dec
 * 2026, 15:04"), in the reader's time zone once the page runs in their browser, and in UTC, said
 * so, in the server's render (the server does not know the zone). The same words with and without
 * JavaScript; only the zone differs, and it is always named or known.
 */
const SHOP_LOCALE = "en-GB";

type Zone = { utc: boolean };
const zone = ({ utc }: Zone) => (utc ? { timeZone: "UTC" } : {});

/** "15:04", or "15:04:30" with seconds. */
export function timeOfDay(at: Date, { utc, seconds = false }: Zone & { seconds?: boolean }): string {
  const shown = at.toLocaleTimeString(SHOP_LOCALE, {
    hour: "2-digit",
    minute: "2-digit",
    ...(seconds ? { second: "2-digit" } : {}),
    ...zone({ utc }),
  });
  return utc ? `${shown} UTC` : shown;
}

/** "5 Dec, 15:04". */
export function dayAndTime(at: Date, { utc }: Zone): string {
  const day = at.toLocaleDateString(SHOP_LOCALE, { day: "numeric", month: "short", ...zone({ utc }) });
  return `${day}, ${timeOfDay(at, { utc })}`;
}

/** "5 Dec 2026, 15:04 GMT+1": a full date and time, its zone named. */
export function dateAndTime(at: Date, { utc }: Zone): string {
  return at.toLocaleString(SHOP_LOCALE, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
    ...zone({ utc }),
  });
}

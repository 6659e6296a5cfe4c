import "server-only";
import { ShopError } from "../base/shop-error";
import { entriesOf, type WaitlistEntry } from "../waitlist/entries";
import { trackStream } from "./open-streams";
import { watchOffers } from "./stock-watch";

/** The longest a read of the line waits for an offer (`GET /api/waitlist?wait=`), in seconds. */
export const MAX_OFFER_WAIT_SECONDS = 25;

/** `?wait=` read: 0 when absent (answer at once), else 1 to MAX_OFFER_WAIT_SECONDS. */
export function offerWaitSeconds(raw: string | null): number {
  if (raw === null) return 0;
  const seconds = /^[0-9]{1,3}$/.test(raw) ? Number(raw) : NaN;
  if (!(seconds >= 0 && seconds <= MAX_OFFER_WAIT_SECONDS))
    throw new ShopError(
      "invalid_request",
      `wait must be a whole number of seconds from 0 to ${MAX_OFFER_WAIT_SECONDS}.`,
    );
  return seconds;
}

/**
 * The caller's places in line, answered as soon as one of them is offered units, or after
 * `waitMs`: the long poll a page falls back on while its stock stream is refused (the client's
 * or the process's stream cap, a proxy that will not stream; components/cart/cart-store.tsx).
 * It listens before it reads the line, so an offer made in between is not missed, and an offer
 * already made is answered at once. A caller in no line is answered at once; one that goes away
 * stops the wait. One request per offer or per `waitMs`, instead of a reload every few seconds.
 */
export async function entriesWhenOffered(
  waiterId: string,
  waitMs: number,
  signal: AbortSignal,
): Promise<WaitlistEntry[]> {
  let offered = () => {};
  const notice = new Promise<void>((resolve) => (offered = resolve));
  const stopWatching = watchOffers(waiterId, { deliver: () => offered() });
  // A stopping web server answers it at once, with the line as it is.
  const untrack = trackStream(() => offered());
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const entries = await entriesOf(waiterId);
    if (entries.length === 0 || entries.some((e) => e.offer) || signal.aborted) return entries;
    await Promise.race([
      notice,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, waitMs);
        signal.addEventListener("abort", () => resolve(), { once: true });
      }),
    ]);
    return await entriesOf(waiterId);
  } finally {
    clearTimeout(timer);
    stopWatching();
    untrack();
  }
}

/**
 * The answer to a read of the line, `GET /api/waitlist[?wait=N]`: the places in line of
 * `waiterId` (none without one), at once, or with `wait` as a long poll. One reading for its two
 * servers, the door of the production web server (lib/http/door/line-read.ts) and Next's route.
 */
export async function lineRead(
  waiterId: string | null,
  wait: string | null,
  signal: AbortSignal,
): Promise<{ entries: WaitlistEntry[] }> {
  const seconds = offerWaitSeconds(wait);
  const entries =
    waiterId && seconds > 0 ? await entriesWhenOffered(waiterId, seconds * 1_000, signal) : await entriesOf(waiterId);
  return { entries };
}

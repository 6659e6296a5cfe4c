import { route } from "@/lib/http/handler";
import { sameSitePath } from "@/lib/http/same-site-path";
import { currentWaiterId } from "@/lib/http/waiter-session";
import { entriesWhenOffered, MAX_OFFER_WAIT_SECONDS } from "@/lib/streams/offer-wait";

/**
 * The long poll of a page without JavaScript. Such a page, of a shopper waiting in line, comes
 * here by its meta refresh (components/waitlist/no-script-offer-wait.tsx), and the answer is a 303
 * back to the page (`back`) once one of the shopper's places is offered units, or after 25 s. The
 * browser keeps showing the page meanwhile, so the page shows the offer as soon as it is made
 * without the shopper reloading it, for one page render per offer or per 25 s. During an outage
 * the answer is 503 with `Retry-After`, shown as the "busy for a moment" page, which retries.
 */
export const GET = route(async (request) => {
  const waiterId = await currentWaiterId();
  if (waiterId) await entriesWhenOffered(waiterId, MAX_OFFER_WAIT_SECONDS * 1_000, request.signal);
  return backTo(request);
});

/** The answer GET gives, at once: Next would otherwise run GET, wait and all, for a HEAD. */
export const HEAD = route(async (request) => backTo(request));

const backTo = (request: Request) =>
  new Response(null, {
    status: 303,
    headers: {
      location: sameSitePath(new URL(request.url).searchParams.get("back"), "/"),
      "cache-control": "no-store",
    },
  });

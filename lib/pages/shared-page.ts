import type { IncomingHttpHeaders } from "node:http";
import { CART_COOKIE, cookiesIn, FLASH_COOKIE, FLASH_HEADER, WAITER_COOKIE } from "../http/cookie-names";

/** The catalog and a product's page (slugs as lib/catalog/products.ts accepts them). */
const SHARED_PATH = /^\/(?:products\/[a-z0-9][a-z0-9-]{0,199})?$/;

/** Cookies that make a page someone's own: the header's hold, the place in line, a form's message. */
const OWN_COOKIES = new Set([CART_COOKIE, WAITER_COOKIE, FLASH_COOKIE]);

/**
 * The path whose HTML this request shares with every other shopper without a cart, or null when
 * the page must be rendered for it: a page view (GET or HEAD, no query) of the catalog or a product,
 * from a browser that holds nothing, waits in no line and brings no form's message. Next's own
 * requests of a page's RSC payload (client navigation, prefetch) carry `RSC: 1` and go to Next.
 */
export function sharedPagePath(
  method: string | undefined,
  url: string | undefined,
  headers: IncomingHttpHeaders,
): string | null {
  if (method !== "GET" && method !== "HEAD") return null;
  if (!url || !SHARED_PATH.test(url)) return null;
  if (
    headers.rsc !== undefined ||
    headers["next-router-prefetch"] !== undefined ||
    headers[FLASH_HEADER] !== undefined
  ) {
    return null;
  }
  if (headers.cookie && hasOwnCookie(headers.cookie)) return null;
  return url;
}

function hasOwnCookie(header: string): boolean {
  for (const [name] of cookiesIn(header)) if (OWN_COOKIES.has(name)) return true;
  return false;
}

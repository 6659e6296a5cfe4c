import type { IncomingHttpHeaders } from "node:http";
import {
  CART_COOKIE,
  cookiesIn,
  FLASH_COOKIE,
  FLASH_HEADER,
  SCRIPTS_COOKIE,
  WAITER_COOKIE,
} from "../http/cookie-names";

/** The catalog and a product's page (slugs as lib/catalog/products.ts accepts them). */
const SHARED_PATH = /^\/(?:products\/[a-z0-9][a-z0-9-]{0,199})?$/;

/** Cookies that make a page someone's own: the header's hold, the place in line. */
const OWN_COOKIES = new Set([CART_COOKIE, WAITER_COOKIE]);

/** A page view answered by the render every such view shares. */
export type SharedView = {
  path: string;
  /**
   * The viewer has a cart or a place in line, and a browser that runs the pages' script: the
   * shared render reaches them with word to read their hold (lib/pages/shared-pages.ts).
   */
  own: boolean;
};

/**
 * The view of a page that shares one render with every other, or null when the page must be
 * rendered for this request: a page view (GET or HEAD, no query) of the catalog or a product that
 * brings no form's message, from a browser that holds nothing and waits in no line, or that does
 * and runs the pages' script (its page then reads the hold itself). A browser without scripts that
 * holds something gets its own render, the hold's time left in its HTML. Next's own requests of a
 * page's RSC payload (client navigation, prefetch) carry `RSC: 1` and go to Next.
 */
export function sharedView(
  method: string | undefined,
  url: string | undefined,
  headers: IncomingHttpHeaders,
): SharedView | null {
  if (method !== "GET" && method !== "HEAD") return null;
  if (!url || !SHARED_PATH.test(url)) return null;
  if (
    headers.rsc !== undefined ||
    headers["next-router-prefetch"] !== undefined ||
    headers[FLASH_HEADER] !== undefined
  ) {
    return null;
  }
  let own = false;
  let scripts = false;
  for (const [name] of cookiesIn(headers.cookie ?? "")) {
    if (name === FLASH_COOKIE) return null;
    if (OWN_COOKIES.has(name)) own = true;
    else if (name === SCRIPTS_COOKIE) scripts = true;
  }
  if (own && !scripts) return null;
  return { path: url, own };
}

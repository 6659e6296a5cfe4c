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
/** A client navigation's URL: the page's, with Next's cache-busting `_rsc` (a hash of the headers below). */
const NAVIGATION_QUERY = /^_rsc=[A-Za-z0-9_-]{1,64}$/;
/** The headers Next renders a client navigation's payload by (its answer's Vary). */
const RSC_HEADERS = [
  "rsc",
  "next-router-state-tree",
  "next-router-prefetch",
  "next-router-segment-prefetch",
  "next-url",
];

/** Cookies that make a page someone's own: the header's hold, the place in line. */
const OWN_COOKIES = new Set([CART_COOKIE, WAITER_COOKIE]);

/** A page view answered by the render every such view shares. */
export type SharedView = {
  /** The render it shares: what Next is asked for it (`url` and `headers`), as one string. */
  key: string;
  /** The page's path, or for a client navigation its URL with `_rsc`. */
  url: string;
  /** The headers Next renders it by (a browser's without its cookies). */
  headers: Record<string, string>;
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
 * holds something gets its own render, the hold's time left in its HTML.
 *
 * A client navigation to one of those pages (Next's RSC request: `RSC: 1`, `?_rsc=`) shares its
 * render with the navigations that send the same URL and headers, from a browser that holds
 * nothing: the payload Next renders for a browser without cookies is then exactly theirs, whatever
 * part of the page Next sends (a refresh sends the layout, and with it the header's hold).
 */
export function sharedView(
  method: string | undefined,
  url: string | undefined,
  headers: IncomingHttpHeaders,
): SharedView | null {
  if (method !== "GET" && method !== "HEAD") return null;
  if (!url || headers[FLASH_HEADER] !== undefined) return null;
  const query = url.indexOf("?");
  const path = query === -1 ? url : url.slice(0, query);
  if (!SHARED_PATH.test(path)) return null;
  const navigation = headers.rsc !== undefined;
  if (navigation) {
    if (headers.rsc !== "1" || query === -1 || !NAVIGATION_QUERY.test(url.slice(query + 1))) return null;
  } else if (query !== -1 || headers["next-router-prefetch"] !== undefined) {
    return null;
  }
  let own = false;
  let scripts = false;
  for (const [name] of cookiesIn(headers.cookie ?? "")) {
    if (name === FLASH_COOKIE) return null;
    if (OWN_COOKIES.has(name)) own = true;
    else if (name === SCRIPTS_COOKIE) scripts = true;
  }
  if (own && (navigation || !scripts)) return null;
  if (!navigation) return rendering(path, { accept: "text/html" }, own);
  const asked: Record<string, string> = { accept: "*/*" };
  for (const name of RSC_HEADERS) {
    const value = headers[name];
    if (typeof value === "string") asked[name] = value;
    else if (value !== undefined) return null; // sent twice: left to Next
  }
  return rendering(url, asked, false);
}

const rendering = (url: string, headers: Record<string, string>, own: boolean): SharedView => ({
  key: JSON.stringify([url, headers]),
  url,
  headers,
  own,
});

/** What a view's key asks Next for (the inverse of `rendering`). */
export function renderRequest(key: string): { url: string; headers: Record<string, string> } {
  const [url, headers] = JSON.parse(key) as [string, Record<string, string>];
  return { url, headers };
}

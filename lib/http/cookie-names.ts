/**
 * Names of the cookies (and the one header) that make a page a shopper's own, without the modules
 * that read them through `next/headers`: the production web server (lib/pages/) needs the names
 * outside any Next request.
 */
export { CART_COOKIE } from "../cart/cart-id";
/** The shopper's place in waiting lines (lib/http/waiter-session.ts). */
export const WAITER_COOKIE = "waiter";
/** A plain form's one-time message, and the header proxy.ts hands it to the page in (lib/http/flash.ts). */
export const FLASH_COOKIE = "flash";
export const FLASH_HEADER = "x-holdcart-flash";
export { READ_HOLD_COOKIE, SCRIPTS_COOKIE } from "./shared-render-cookies";

/**
 * The name and value of each cookie in a raw Cookie header, as the web server sees it before Next
 * parses it (a pair without "=" is a name with an empty value).
 */
export function* cookiesIn(header: string): Generator<[name: string, value: string]> {
  for (const pair of header.split(";")) {
    const equals = pair.indexOf("=");
    if (equals === -1) yield [pair.trim(), ""];
    else yield [pair.slice(0, equals).trim(), pair.slice(equals + 1).trim()];
  }
}

/**
 * The value of the cookie named `name` in a raw Cookie header, read as Next reads it (its
 * `cookies().get`): the last of several, percent-decoded, a value that does not decode skipped.
 */
export function cookieIn(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  let found: string | undefined;
  for (const [n, value] of cookiesIn(header)) {
    if (n !== name) continue;
    try {
      found = decodeURIComponent(value);
    } catch {
      // as Next: a value that does not decode is no value
    }
  }
  return found;
}

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

/**
 * The two cookies by which a shopper who holds something shares the render of a page with everyone
 * (lib/pages/shared-pages.ts, components/cart/shared-render.ts). Apart from lib/http/cookie-names.ts,
 * whose cart cookie is server-only, because the page's script reads and sets them.
 */

/**
 * Set by the pages' own script once it runs (components/cart/shared-render.ts), for the browser's
 * session: a shopper with a cart or a place in line whose browser runs scripts can be sent the
 * shared render of a page, and their page reads their hold itself. Without it, they get their own.
 */
export const SCRIPTS_COOKIE = "scripts";
/**
 * Set by the web server on a shared render sent to a shopper with a cart or a place in line (not
 * httpOnly, short-lived): the page, rendered for nobody, reads the shopper's hold after hydrating.
 */
export const READ_HOLD_COOKIE = "read-hold";

/**
 * On a page rendered for nobody that the server told to read the hold, this attribute is on
 * <html> from before the first paint until the hold is read: the header's count is hidden
 * meanwhile (app/globals.css), rather than showing the 0 of the shared render.
 */
export const HOLD_READING_ATTRIBUTE = "data-hold-reading";

/** The inline script, first in <head>, that sets it (a script: the cookie is the browser's). */
export const MARK_HOLD_READING = `document.cookie.split(";").some(function(c){return c.trim().indexOf("${READ_HOLD_COOKIE}=")===0})&&document.documentElement.setAttribute("${HOLD_READING_ATTRIBUTE}","")`;

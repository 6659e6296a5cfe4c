import "server-only";
import { signId, verifySignedId } from "../base/signed-value";
import { cookieIn, WAITER_COOKIE } from "./cookie-names";

/**
 * The waiter cookie's value: a random id signed for this purpose alone, so a cart cookie is never
 * taken for it. Apart from the session (waiter-session.ts, which reads Next's cookies) so that the
 * door, before Next runs, can tell a genuine one too.
 */
const PURPOSE = "waiter";

/** The waiter id of a genuine cookie value; null for anything missing, malformed or tampered with. */
export const verifyWaiterCookie = (value: string | undefined | null): string | null => verifySignedId(value, PURPOSE);

/** The cookie value for `waiterId`. */
export const signWaiterId = (waiterId: string): string => signId(waiterId, PURPOSE);

/** How long the waiter cookie lasts: it outlives any one cart and any one line. */
export const WAITER_COOKIE_SECONDS = 30 * 24 * 3600;

/** The waiter id of a raw Cookie header's genuine waiter cookie, for the door (which reads no cookies through Next). */
export const waiterIdInCookies = (cookieHeader: string | undefined): string | null =>
  verifyWaiterCookie(cookieIn(cookieHeader, WAITER_COOKIE));

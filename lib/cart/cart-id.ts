import "server-only";
import { signId, verifySignedId } from "../base/signed-value";
import { newRandomId } from "../base/ids";

export const CART_COOKIE = "cart";

/** A fresh cart id: 128 random bits in uuid form. */
export const newCartId = newRandomId;

/** Cookie value: `<cartId>.<HMAC-SHA256(SESSION_SECRET, cartId)>` (signed with no purpose: it predates them). */
export const signCartId = (cartId: string) => signId(cartId);

/** The cart id of a genuine cookie value; null for anything missing, malformed or tampered with. */
export const verifyCartCookie = (value: string | undefined | null): string | null => verifySignedId(value);

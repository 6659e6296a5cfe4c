/**
 * The cart as the API and the pages show it. Shared by the server and the browser (no
 * `server-only`): the client store and the server actions speak these types.
 */

/** A line as the ledger and Redis keep it: which product, how many held. */
export type CartLine = { productId: number; quantity: number };

/** A cart as Postgres last committed it: what its Redis keys are written from. */
export type CartSnapshot = {
  cartId: string;
  version: number;
  expiresAtMs: number;
  /** Remaining hold by the database clock at commit time; becomes the Redis TTL. */
  ttlMs: number;
  /** Times the shopper kept the hold longer (MAX_HOLD_EXTENSIONS bounds it). */
  extensionsUsed: number;
  lines: CartLine[];
};

/** What a page needs of a live hold; Redis keeps it in the session key's value. */
export type Hold = Omit<CartSnapshot, "cartId" | "version">;

export type CartItem = {
  productId: number;
  slug: string;
  name: string;
  imageUrl: string;
  quantity: number;
  unitPriceCents: number;
};

export type CartView = {
  items: CartItem[];
  subtotalCents: number;
  /** ISO time the hold ends (database clock), null when there is no cart. */
  expiresAt: string | null;
  /** Milliseconds left, from the Redis key's PTTL; null when there is no cart. */
  ttlMs: number | null;
  /** How many more times the hold may be kept longer (POST /api/cart/extend); null when there is no cart. */
  extensionsLeft: number | null;
};

export const EMPTY_CART: CartView = { items: [], subtotalCents: 0, expiresAt: null, ttlMs: null, extensionsLeft: null };

/** An item of a hold that ended, and how many of it could be held again right now. */
export type ReleasedItem = CartItem & { availableNow: number };

/** A hold that ended without an order: what went back to stock, until the shopper dismisses it. */
export type EndedHold = { items: ReleasedItem[] };

/** One of the shopper's places in a waiting line, or the offer it turned into. */
export type WaitlistEntry = {
  productId: number;
  slug: string;
  name: string;
  quantity: number;
  /** 1 for the first in line; null once units were handed over (see `offer`), or until the draw (`drawAt`). */
  position: number | null;
  /** A drop's entry before its draw: when the draw decides the place (ISO). Null once drawn, and in an ordinary line. */
  drawAt: string | null;
  /** The hold the units were handed over as, in the shopper's cart: claimed by checking out. */
  offer: { units: number; expiresAt: string; ttlMs: number } | null;
};

/**
 * The caller's cart, or, when it has none, the hold that ended last (if not yet dismissed); and
 * their places in waiting lines.
 */
export type HoldState = { cart: CartView; ended: EndedHold | null; waiting: WaitlistEntry[] };

/** Units of an ended hold that can be held again now: "Hold the 2 that are still in stock". */
export const stillAvailable = (ended: EndedHold): number =>
  ended.items.reduce((sum, i) => sum + Math.min(i.quantity, i.availableNow), 0);

import { UUID } from "../base/ids";

/**
 * Redis key scheme. Every key of one cart carries the hash tag `{cartId}`, so each Lua
 * script touches a single slot and runs unchanged on Redis Cluster.
 */
export const cartKeys = (cartId: string) => ({
  /** TTL = the hold; its `expired` event wakes the worker; PTTL drives the countdown. */
  session: `cart:{${cartId}}:session`,
  /** Hash productId -> quantity; outlives the session a little so Redis cleans it by itself. */
  lines: `cart:{${cartId}}:lines`,
  /** Tombstone left by release/checkout so a late write cannot resurrect an ended cart. */
  ended: `cart:{${cartId}}:ended`,
});

const SESSION_KEY = new RegExp(`^cart:\\{(${UUID.source.slice(1, -1)})\\}:session$`);

/** The cart id of a session key, or null for any other key. */
export function cartIdOfSessionKey(key: string): string | null {
  return SESSION_KEY.exec(key)?.[1] ?? null;
}

/** New carts a client started in the last minute; `client` is a bounded key (lib/http/client-address.ts). */
export const newCartRateKey = (client: string) => `ratelimit:new-cart:{${client}}`;

import "server-only";
import { redis } from "../redis/client";
import { cartKeys } from "../redis/keys";

export type CartLine = { productId: number; quantity: number };

/** A cart as Postgres last committed it: what the Redis keys are written from. */
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

// The lines hash outlives the session key a little, so Redis cleans it even if nobody does.
const LINES_GRACE_MS = 60_000;

/** Writes the snapshot to Redis in one script; older versions and ended carts are ignored. */
export async function writeSnapshot(snapshot: CartSnapshot): Promise<void> {
  if (snapshot.ttlMs <= 0) return;
  const keys = cartKeys(snapshot.cartId);
  await redis().writeCart(
    keys.session,
    keys.lines,
    keys.ended,
    snapshot.version,
    // The session value is "version:expiresAtMs:extensionsUsed"; the script reads only the version.
    `${snapshot.expiresAtMs}:${snapshot.extensionsUsed}`,
    snapshot.ttlMs,
    snapshot.ttlMs + LINES_GRACE_MS,
    ...snapshot.lines.flatMap((l) => [l.productId, l.quantity]),
  );
}

export type RedisCart = ({ kind: "live" } & Hold) | { kind: "ended" } | { kind: "missing" };

/** The cart as Redis has it, in one round trip. */
export async function readSnapshot(cartId: string): Promise<RedisCart> {
  const keys = cartKeys(cartId);
  const [session, pttl, flatLines, ended] = await redis().readCart(keys.session, keys.lines, keys.ended);
  if (ended === 1) return { kind: "ended" };
  if (session === null || pttl <= 0) return { kind: "missing" };
  const lines: CartLine[] = [];
  for (let i = 0; i + 1 < flatLines.length; i += 2) {
    lines.push({ productId: Number(flatLines[i]), quantity: Number(flatLines[i + 1]) });
  }
  lines.sort((a, b) => a.productId - b.productId);
  const [, expiresAtMs, extensionsUsed] = session.split(":");
  return {
    kind: "live",
    expiresAtMs: Number(expiresAtMs),
    ttlMs: pttl,
    extensionsUsed: Number(extensionsUsed ?? 0),
    lines,
  };
}

// Long enough to outlast any request still in flight for the cart; Redis drops it by itself.
const TOMBSTONE_MS = 10 * 60_000;

/**
 * Drops carts' Redis keys and leaves tombstones so no late write brings them back. One script
 * per cart (each cart's keys share a slot; different carts may not), sent without waiting for
 * each reply, so many carts still cost about one round trip.
 */
export async function forgetCartsInRedis(cartIds: readonly string[]): Promise<void> {
  await Promise.all(
    cartIds.map((id) => {
      const keys = cartKeys(id);
      return redis().endCart(keys.session, keys.lines, keys.ended, 1, TOMBSTONE_MS);
    }),
  );
}

import "server-only";
import { Cluster, type Redis } from "ioredis";
import { redis } from "../redis/client";
import { cartIdOfSessionKey, cartKeys } from "../redis/keys";
import type { CachedCart } from "./drift";
import type { CartLine, CartSnapshot, Hold } from "./cart-types";

/**
 * A cart's keys in Redis, and every operation on them: written from the ledger's snapshots, read
 * by requests, dropped when the cart ends, compared and repaired by the reconciler. Redis is
 * derived state: Postgres decides, these keys follow it (docs/design.md, "Redis keys").
 */

// The lines hash outlives the session key a little, so Redis cleans it even if nobody does.
const LINES_GRACE_MS = 60_000;
// Long enough to outlast any request still in flight for the cart; Redis drops it by itself.
const TOMBSTONE_MS = 10 * 60_000;

/**
 * Writes the snapshot in one script, unless the cart ended (tombstone) or Redis holds a version
 * at or above `keepFrom`: the one guard that keeps a late write from undoing a newer one.
 */
async function writeKeys(snapshot: CartSnapshot, keepFrom: number): Promise<boolean> {
  if (snapshot.ttlMs <= 0) return false;
  const keys = cartKeys(snapshot.cartId);
  const written = await redis().writeCart(
    keys.session,
    keys.lines,
    keys.ended,
    snapshot.version,
    // The session value is "version:expiresAtMs:extensionsUsed"; the script reads only the version.
    `${snapshot.expiresAtMs}:${snapshot.extensionsUsed}`,
    snapshot.ttlMs,
    snapshot.ttlMs + LINES_GRACE_MS,
    keepFrom,
    ...snapshot.lines.flatMap((l) => [l.productId, l.quantity]),
  );
  return written === 1;
}

/** Writes what Postgres committed; an equal or newer version already there stays. */
export async function writeCartToRedis(snapshot: CartSnapshot): Promise<void> {
  await writeKeys(snapshot, snapshot.version);
}

/**
 * Rewrites a cart whose keys were found wrong (the reconciler): the same version is overwritten
 * too, since its content is what was wrong; a newer version or a tombstone still wins.
 */
export const repairCartInRedis = (snapshot: CartSnapshot): Promise<boolean> =>
  writeKeys(snapshot, snapshot.version + 1);

/** The cart's keys, in one round trip. */
export async function readCartKeys(cartId: string): Promise<CachedCart> {
  const keys = cartKeys(cartId);
  const [session, pttlMs, flatLines, ended] = await redis().readCart(keys.session, keys.lines, keys.ended);
  return { session, pttlMs, flatLines, ended: ended === 1 };
}

export type RedisCart = ({ kind: "live" } & Hold) | { kind: "ended" } | { kind: "missing" };

/** The cart as Redis has it: live with its hold, ended (tombstone), or missing. */
export async function readCartFromRedis(cartId: string): Promise<RedisCart> {
  const { session, pttlMs, flatLines, ended } = await readCartKeys(cartId);
  if (ended) return { kind: "ended" };
  if (session === null || pttlMs <= 0) return { kind: "missing" };
  const lines: CartLine[] = [];
  for (let i = 0; i + 1 < flatLines.length; i += 2) {
    lines.push({ productId: Number(flatLines[i]), quantity: Number(flatLines[i + 1]) });
  }
  lines.sort((a, b) => a.productId - b.productId);
  const [, expiresAtMs, extensionsUsed] = session.split(":");
  return {
    kind: "live",
    expiresAtMs: Number(expiresAtMs),
    ttlMs: pttlMs,
    extensionsUsed: Number(extensionsUsed ?? 0),
    lines,
  };
}

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

const mastersOf = (): Redis[] => {
  const client = redis();
  return client instanceof Cluster ? client.nodes("master") : [client];
};

/** Ids of every cart with a session key in Redis (SCAN on every master, so Redis never blocks on it). */
export async function cachedCartIds(): Promise<string[]> {
  const ids: string[] = [];
  for (const node of mastersOf()) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", "cart:*:session", "COUNT", 1_000);
      cursor = next;
      for (const key of keys) {
        const id = cartIdOfSessionKey(key);
        if (id) ids.push(id);
      }
    } while (cursor !== "0");
  }
  return ids;
}

import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { config } from "../config";
import { db, type Db } from "../db/client";
import { carts, inventory, reservations } from "../db/schema";
import { insufficientStock, ShopError } from "../errors";
import { holdUnitsSql, unholdUnits } from "../inventory/counters";
import { assertClientMayHold } from "./hold-limits";
import type { StockChange } from "../inventory/stock-events";
import type { CartLine, CartSnapshot } from "./snapshot";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export type LineChange = { productId: number; mode: "add" | "set"; quantity: number };

/** What Postgres committed: the cart's new snapshot, and what moved. */
export type Applied = CartSnapshot & { previousQuantity: number; lineQuantity: number; change: StockChange | null };

// Every deadline is read from the database clock; the Redis TTL is derived from `ttlMs`.
const expiresAtMsSql = sql<number>`(extract(epoch from ${carts.expiresAt}) * 1000)::float8`;
const ttlMsSql = sql<number>`floor(extract(epoch from ${carts.expiresAt} - now()) * 1000)::int`;

function enforceLimits(lines: readonly CartLine[], current: number, target: number): void {
  const { maxQtyPerLine, maxLines, maxUnitsPerCart } = config();
  if (target > maxQtyPerLine) {
    throw new ShopError("cart_limit", `At most ${maxQtyPerLine} of one item per cart.`, { maxQtyPerLine });
  }
  if (current === 0 && target > 0 && lines.length >= maxLines) {
    throw new ShopError("cart_limit", `A cart holds at most ${maxLines} different items.`, { maxLines });
  }
  const units = lines.reduce((sum, l) => sum + l.quantity, 0) - current + target;
  if (target > current && units > maxUnitsPerCart) {
    throw new ShopError("cart_limit", `A cart holds at most ${maxUnitsPerCart} items.`, { maxUnitsPerCart });
  }
}

/**
 * A refused hold: unknown product, or not enough left, with how many are. Read by a statement
 * of its own: inside the refused one, a hold that waited for the row lock still sees the
 * snapshot from before it waited.
 */
async function refusal(tx: Db | Tx, productId: number): Promise<ShopError> {
  const [row] = await tx
    .select({ available: inventory.available })
    .from(inventory)
    .where(eq(inventory.productId, productId));
  return row ? insufficientStock(row.available) : new ShopError("unknown_product", "No such product.");
}

/**
 * The first add of a new cart, as one statement: hold the units, and only if that succeeded
 * create the cart (deadline = database now() + TTL, started by `client`) and its reservation.
 * The hot inventory row stays locked for this statement alone, which is what lets many
 * shoppers start carts for the same product at once. With the per-client caps on, the client's
 * lock and holdings are read first, in the same transaction.
 */
async function holdInNewCart(cartId: string, client: string, productId: number, quantity: number): Promise<Applied> {
  enforceLimits([], 0, quantity);
  if (!config().holdLimits) return holdStatement(db(), cartId, client, productId, quantity);
  return db().transaction(async (tx) => {
    await assertClientMayHold(tx, client, productId, quantity);
    return holdStatement(tx, cartId, client, productId, quantity);
  });
}

async function holdStatement(
  executor: Db | Tx,
  cartId: string,
  client: string,
  productId: number,
  quantity: number,
): Promise<Applied> {
  const [row] = await executor.execute<{
    available: number | null;
    version: number | null;
    expires_at_ms: number | null;
    ttl_ms: number | null;
  }>(sql`
    with held as (${holdUnitsSql(productId, quantity)}),
    cart as (
      insert into carts (id, client_key, expires_at)
      select ${cartId}, ${client}, now() + make_interval(secs => ${config().cartTtlSeconds}) from held
      returning version, expires_at
    ),
    line as (insert into reservations (cart_id, product_id, quantity) select ${cartId}, ${productId}, ${quantity} from cart)
    select (select available from held) as available,
           cart.version,
           (extract(epoch from cart.expires_at) * 1000)::float8 as expires_at_ms,
           floor(extract(epoch from cart.expires_at - now()) * 1000)::int as ttl_ms
      from (select 1) one left join cart on true`);
  if (!row || row.available === null || row.version === null) throw await refusal(executor, productId);
  return {
    cartId,
    version: row.version,
    expiresAtMs: Number(row.expires_at_ms),
    ttlMs: Number(row.ttl_ms),
    lines: [{ productId, quantity }],
    previousQuantity: 0,
    lineQuantity: quantity,
    change: { productId, available: row.available },
  };
}

/** Locks the cart row for the rest of the transaction and bumps its version (one statement). */
async function lockLiveCart(tx: Tx, cartId: string) {
  const [row] = await tx
    .update(carts)
    .set({ version: sql`${carts.version} + 1` })
    .where(eq(carts.id, cartId))
    .returning({
      version: carts.version,
      state: carts.state,
      live: sql<boolean>`${carts.expiresAt} > now()`,
      expiresAtMs: expiresAtMsSql,
      ttlMs: ttlMsSql,
      clientKey: carts.clientKey,
    });
  if (!row || row.state !== "active" || !row.live) throw new ShopError("cart_expired", "Your cart has expired.");
  return row;
}

/**
 * Moves the product's hold from `current` to `target` units and the reservation row with it.
 * A larger line holds the difference in the same statement that records it (the hot inventory
 * row is locked last, just before commit); a smaller one gives the difference back.
 */
async function moveLine(tx: Tx, cartId: string, productId: number, current: number, target: number) {
  const delta = target - current;
  if (delta > 0) {
    const [row] = await tx.execute<{ available: number | null }>(sql`
      with held as (${holdUnitsSql(productId, delta)}),
      line as (
        insert into reservations (cart_id, product_id, quantity) select ${cartId}, ${productId}, ${target} from held
        on conflict (cart_id, product_id) do update set quantity = excluded.quantity
      )
      select (select available from held) as available`);
    if (!row || row.available === null) throw await refusal(tx, productId);
    return { productId, available: row.available };
  }
  const line = and(eq(reservations.cartId, cartId), eq(reservations.productId, productId));
  if (target === 0) await tx.delete(reservations).where(line);
  else await tx.update(reservations).set({ quantity: target }).where(line);
  return { productId, available: await unholdUnits(tx, productId, -delta) };
}

/**
 * One transaction on an existing cart: lock its row (every mutation of a cart does, first), read
 * its lines, check the limits, then move the one line. Any refusal rolls all of it back.
 */
async function changeCartLine(cartId: string, change: LineChange): Promise<Applied> {
  return db().transaction(async (tx) => {
    const cart = await lockLiveCart(tx, cartId);
    const lines: CartLine[] = await tx
      .select({ productId: reservations.productId, quantity: reservations.quantity })
      .from(reservations)
      .where(eq(reservations.cartId, cartId))
      .orderBy(reservations.productId);
    const current = lines.find((l) => l.productId === change.productId)?.quantity ?? 0;
    // A negative "add" is an undo (see compensate in mutations.ts); it never goes below zero.
    const target = Math.max(0, change.mode === "add" ? current + change.quantity : change.quantity);
    enforceLimits(lines, current, target);
    // Invariant 9 counts the cart's units under the client that started it.
    await assertClientMayHold(tx, cart.clientKey, change.productId, target - current);
    const stockChange = target === current ? null : await moveLine(tx, cartId, change.productId, current, target);

    const others = lines.filter((l) => l.productId !== change.productId);
    const nextLines = target > 0 ? [...others, { productId: change.productId, quantity: target }] : others;
    nextLines.sort((a, b) => a.productId - b.productId);
    return {
      cartId,
      version: cart.version,
      expiresAtMs: cart.expiresAtMs,
      ttlMs: cart.ttlMs,
      lines: nextLines,
      previousQuantity: current,
      lineQuantity: target,
      change: stockChange,
    };
  });
}

/** Which cart a change is for: an existing one, or a new one that `client` starts. */
export type CartTarget = { cartId: string; newFor?: string };

/**
 * Commits a change of one cart line to the ledger (Postgres only; Redis follows in
 * mutations.ts). Also the benchmark's database ceiling: the route's work without HTTP or Redis.
 */
export function applyChange({ cartId, newFor }: CartTarget, change: LineChange): Promise<Applied> {
  return newFor === undefined
    ? changeCartLine(cartId, change)
    : holdInNewCart(cartId, newFor, change.productId, change.quantity);
}

import "server-only";
import type { TransactionSql } from "postgres";
import { config } from "../config";
import { pg } from "../db/client";
import { insufficientStock, ShopError } from "../shop-error";
import { holdUnits } from "../inventory/counters";
import { publishStockChanges, type AvailableChange } from "../inventory/stock-events";
import { Coalescer, type Outcome } from "./coalescer";
import { holdMetrics } from "../metrics/hold-metrics";
import { announceHandOff, handOffFreed, NO_HAND_OFF, type HandOff } from "../waitlist/hand-off";
import { assertWithinCaps, CLIENT_LOCK_NAMESPACE, type Holding } from "./hold-limits";
import { soldOut } from "./sold-out";
import { deadlineColumns, type DeadlineColumns } from "./deadline-sql";
import type { CartLine, CartSnapshot } from "./cart-types";

/**
 * A change of one cart line:
 * - `add`: `quantity` (at least 1) more units;
 * - `set`: the line becomes `quantity` (0 removes it);
 * - `giveBack`: up to `quantity` fewer (a declined offer); a line holding fewer gives back all it holds;
 * - `undo`: reverts a change that moved the line by `quantity` (signed), leaving later changes be.
 */
export type LineChange = { productId: number; mode: "add" | "set" | "giveBack" | "undo"; quantity: number };

/** The quantity a line of `current` units is to hold after `change`. */
export function targetQuantity(current: number, { mode, quantity }: LineChange): number {
  switch (mode) {
    case "add":
      if (quantity < 1) throw new Error(`an add of ${quantity} units: use giveBack or undo`);
      return current + quantity;
    case "set":
      return quantity;
    case "giveBack":
      return Math.max(0, current - quantity);
    case "undo":
      // Below zero only when a later change (another tab) already gave those units back.
      return Math.max(0, current - quantity);
  }
}

/** Which cart a change is for: an existing one, or a new one that `client` starts. */
export type CartTarget = { cartId: string; newFor?: string };

/** What Postgres committed: the cart's new snapshot, and what moved. */
export type Applied = CartSnapshot & { previousQuantity: number; lineQuantity: number; change: AvailableChange | null };

type Request = { target: CartTarget; change: LineChange };

// A batch is one transaction on the product's inventory row; its size bounds the statement,
// the queue bounds how long a request can wait behind batches (then 503, never unbounded).
const MAX_BATCH = 500;
const MAX_QUEUE = 5_000;
const MAX_CLIENTS_PER_BATCH = 64;
// Advisory locks are keyed (namespace, key); this namespace is "a client's holds".
// However it is blocked (a lock held elsewhere, a half-open connection), a batch gives up then,
// answering 503, rather than holding its queue for as long as TCP takes to notice.
const BATCH_TIMEOUT = "5s";

/** Batches run and the requests they carried, since the process started (metrics, tests). */
export const holdBatchStats = { batches: 0, requests: 0 };

const batches = new Coalescer<number, Request, Applied>((productId, requests) => changeLines(productId, requests), {
  maxBatch: MAX_BATCH,
  maxQueue: MAX_QUEUE,
  // A cart's version is bumped once per batch, so two changes of one cart go in separate batches.
  conflictKey: (r) => (r.target.newFor === undefined ? r.target.cartId : undefined),
  // With per-client caps a batch holds one advisory lock per client until commit; those live in
  // Postgres' shared lock table (max_locks_per_transaction × connections), so a batch takes at
  // most as many as one transaction is budgeted by default. A cart stands for its client here.
  groups: { key: (r) => r.target.newFor ?? r.target.cartId, max: MAX_CLIENTS_PER_BATCH },
});

/**
 * Commits a change of one cart line to the ledger (Postgres only; Redis follows in
 * mutations.ts). Changes of one product that arrive while a batch for it is in flight go
 * into the next batch: one transaction, one commit, each request answered as if alone.
 */
export function applyChange(target: CartTarget, change: LineChange): Promise<Applied> {
  return batches.submit(change.productId, { target, change });
}

export function enforceLimits(lines: readonly CartLine[], current: number, target: number): void {
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

type LockedCart = DeadlineColumns & {
  id: string;
  version: number;
  live: boolean;
  client_key: string;
  extensions_used: number;
};

/**
 * Locks what the batch's decisions rest on, in the order every transaction here takes locks
 * (carts by id, then clients, then inventory rows), and reads it. Statements are pipelined:
 * one round trip for a batch of new carts.
 */
async function lockAndRead(tx: TransactionSql, productId: number, requests: Request[]) {
  const existingIds = [...new Set(requests.flatMap((r) => (r.target.newFor === undefined ? [r.target.cartId] : [])))];
  // Sent first, ahead of every lock below (queries are lazy until executed or awaited).
  const timeout = tx`select set_config('statement_timeout', ${BATCH_TIMEOUT}, true)`.execute();
  const [carts, lines] =
    existingIds.length === 0
      ? [[] as LockedCart[], [] as { cart_id: string; product_id: number; quantity: number }[]]
      : await Promise.all([
          // Every mutation of a cart locks its row first and bumps its version (Redis writes carry it).
          tx<LockedCart[]>`
            update carts c set version = c.version + 1
              from (select id from carts where id = any(${existingIds}::uuid[]) order by id for update) locked
             where c.id = locked.id
            returning c.id, c.version, c.client_key, c.extensions_used,
                      c.state = 'active' and c.expires_at > now() as live,
                      ${deadlineColumns(tx, tx`c.expires_at`)}`,
          tx<{ cart_id: string; product_id: number; quantity: number }[]>`
            select cart_id, product_id, quantity from reservations
             where cart_id = any(${existingIds}::uuid[]) order by product_id`,
        ]);
  const cartById = new Map(carts.map((c) => [c.id, c]));
  const clientOf = (r: Request) => r.target.newFor ?? cartById.get(r.target.cartId)?.client_key;
  // Carts from before clients were recorded have no key: they are not counted together.
  const clients = config().holdLimits
    ? [...new Set(requests.map(clientOf).filter((c): c is string => c !== undefined && c !== ""))]
    : [];

  const [, , holdings, stock] = await Promise.all([
    timeout,
    // Invariant 9: each client's holds queue here until commit, so holds in flight add up.
    clients.length === 0
      ? null
      : tx`select count(pg_advisory_xact_lock(${CLIENT_LOCK_NAMESPACE}, h))
             from (select distinct hashtext(k) as h from unnest(${clients}::text[]) k order by 1) ordered`,
    // A statement of its own, after the locks: its snapshot sees every earlier hold committed.
    clients.length === 0
      ? []
      : tx<({ client_key: string } & Holding)[]>`
          select c.client_key,
                 coalesce(sum(r.quantity) filter (where r.product_id = ${productId}), 0)::int as product,
                 coalesce(sum(r.quantity), 0)::int as total
            from carts c join reservations r on r.cart_id = c.id
           where c.client_key = any(${clients}::text[]) and c.state = 'active' and c.expires_at > now()
           group by c.client_key`,
    // The hot row, last: locked from here to commit, for the whole batch.
    tx<{ available: number; reserved: number; has_line: boolean }[]>`
      select available, reserved,
             exists (select 1 from waitlist_entries w where w.product_id = ${productId} and w.offer_cart_id is null)
               as has_line
        from inventory where product_id = ${productId} for update`,
  ]);

  const linesByCart = new Map<string, CartLine[]>();
  for (const l of lines) {
    const list = linesByCart.get(l.cart_id) ?? [];
    list.push({ productId: l.product_id, quantity: l.quantity });
    linesByCart.set(l.cart_id, list);
  }
  const holdingByClient = new Map<string, Holding>(
    clients.map((c) => [c, holdings.find((h) => h.client_key === c) ?? { product: 0, total: 0 }]),
  );
  return {
    cartById,
    linesByCart,
    holdingByClient,
    available: stock[0]?.available ?? null,
    reserved: stock[0]?.reserved ?? 0,
    hasLine: stock[0]?.has_line ?? false,
  };
}

type Decision = {
  request: Request;
  cart: LockedCart | null;
  lines: CartLine[];
  current: number;
  target: number;
  availableAfter: number;
};

/**
 * One batch of changes to one product's lines, in one transaction. Each request is decided in
 * arrival order against what the requests before it left (stock, the client's holdings), so it
 * gets exactly the answer it would have had alone; then every granted change is written by one
 * statement. Invariant 3 still rests on the database: that statement's `available >= net`
 * condition and the CHECK constraints, under the row lock taken before any decision.
 */
async function changeLines(productId: number, requests: Request[]): Promise<Outcome<Applied>[]> {
  holdBatchStats.batches += 1;
  holdBatchStats.requests += requests.length;
  const { cartTtlSeconds, holdLimits, maxQtyPerLine, maxUnitsPerCart } = config();
  const [only] = requests;
  if (requests.length === 1 && only?.target.newFor !== undefined && !holdLimits) {
    return [
      await settle(holdInNewCart(only.target.cartId, only.target.newFor, productId, targetQuantity(0, only.change))),
    ];
  }
  const outcomes: Outcome<Applied>[] = [];

  // sql.begin(), not a reserved connection with BEGIN and COMMIT pipelined (two round trips
  // fewer): postgres.js 3.4.9 hands a reserved connection the server terminated back to the pool
  // (porsager/postgres#1199) and can strand a queued reserve (#1195).
  const { availableAfter, handOff, declinedUnits } = await pg().begin(async (tx): Promise<BatchWritten> => {
    const read = await lockAndRead(tx, productId, requests);
    if (read.available === null) {
      for (const _ of requests)
        outcomes.push({ ok: false, error: new ShopError("unknown_product", "No such product.") });
      return NOTHING_WRITTEN;
    }
    let available = read.available;
    // What adds may take. With shoppers in line, units this batch frees are theirs (invariant 8):
    // they go to the line below, never to a later request of the batch.
    let forSale = read.available;
    let freed = 0;
    const decisions: (Decision | null)[] = [];
    for (const request of requests) {
      try {
        const { target: where, change } = request;
        const found = where.newFor === undefined ? read.cartById.get(where.cartId) : null;
        if (found !== null && !found?.live) throw new ShopError("cart_expired", "Your cart has expired.");
        const cart = found ?? null;
        const lines = cart ? (read.linesByCart.get(cart.id) ?? []) : [];
        const current = lines.find((l) => l.productId === productId)?.quantity ?? 0;
        const target = targetQuantity(current, change);
        enforceLimits(lines, current, target);
        const more = target - current;
        const holding = read.holdingByClient.get(where.newFor ?? cart?.client_key ?? "");
        if (holdLimits && holding) assertWithinCaps(holding, more, { maxQtyPerLine, maxUnitsPer: maxUnitsPerCart });
        if (more > forSale) throw insufficientStock(forSale, read.reserved + read.available - available);
        available -= more;
        forSale -= read.hasLine ? Math.max(0, more) : more;
        freed += Math.max(0, -more);
        if (holding) {
          holding.product += more;
          holding.total += more;
        }
        if (cart) read.linesByCart.set(cart.id, withLine(lines, productId, target));
        decisions.push({ request, cart, lines, current, target, availableAfter: available });
      } catch (error) {
        if (!(error instanceof ShopError)) throw error;
        decisions.push(null);
        outcomes.push({ ok: false, error });
        continue;
      }
      outcomes.push({ ok: true, value: null as unknown as Applied }); // filled in after the write
    }

    const granted = decisions.filter((d): d is Decision => d !== null);
    const net = read.available - available;
    if (granted.length === 0) return NOTHING_WRITTEN;
    const created = granted.filter((d) => d.cart === null);
    const kept = granted.filter((d) => d.target > 0);
    const emptied = granted.filter((d) => d.target === 0 && d.cart !== null);
    const [written] = await tx<({ available: number | null; declined_units: number } & DeadlineColumns)[]>`
      with new_carts as (
        insert into carts (id, client_key, expires_at)
        select id, client_key, now() + make_interval(secs => ${cartTtlSeconds})
          from unnest(${created.map((d) => d.request.target.cartId)}::uuid[],
                      ${created.map((d) => d.request.target.newFor ?? "")}::text[]) as n(id, client_key)
        returning id
      ),
      kept as (
        insert into reservations (cart_id, product_id, quantity)
        select cart_id, ${productId}, quantity
          from unnest(${kept.map((d) => d.request.target.cartId)}::uuid[], ${kept.map((d) => d.target)}::int[])
               as k(cart_id, quantity)
        on conflict (cart_id, product_id) do update set quantity = excluded.quantity
        returning 1
      ),
      emptied as (
        delete from reservations
         where product_id = ${productId} and cart_id = any(${emptied.map((d) => d.request.target.cartId)}::uuid[])
        returning 1
      ),
      declined as (
        -- An offer removed from the cart is declined: its place in line ends (invariant 8).
        delete from waitlist_entries
         where product_id = ${productId} and offer_cart_id = any(${emptied.map((d) => d.request.target.cartId)}::uuid[])
        returning offered_units
      ),
      stock as (${holdUnits(tx, productId, net)})
      select (select available from stock) as available,
             (select coalesce(sum(offered_units), 0)::int from declined) as declined_units,
             ${deadlineColumns(tx, tx`now() + make_interval(secs => ${cartTtlSeconds})`)}`;
    if (written?.available !== available) {
      throw new Error(
        `inventory of product ${productId} moved under its row lock (${written?.available} ≠ ${available})`,
      );
    }
    const newCart = { expiresAtMs: Number(written.expires_at_ms), ttlMs: written.ttl_ms };
    let g = 0;
    outcomes.forEach((outcome, i) => {
      if (!outcome.ok) return;
      const d = granted[g++] as Decision;
      outcomes[i] = { ok: true, value: applied(d, productId, newCart) };
    });
    // Units given back (a smaller line, a removed one, an undo) go to the line first (invariant 8).
    // The line is read under the row lock: nobody joins or leaves it until this commits.
    return {
      availableAfter: net === 0 ? null : available,
      handOff: read.hasLine && freed > 0 ? await handOffFreed(tx, [productId]) : NO_HAND_OFF,
      declinedUnits: written.declined_units,
    };
  });
  if (availableAfter !== null) afterBatch(productId, availableAfter);
  if (declinedUnits > 0) holdMetrics.offerPassed(declinedUnits);
  void announceHandOff(handOff);
  return outcomes;
}

type BatchWritten = { availableAfter: number | null; handOff: HandOff; declinedUnits: number };
const NOTHING_WRITTEN: BatchWritten = { availableAfter: null, handOff: NO_HAND_OFF, declinedUnits: 0 };

const settle = <R>(work: Promise<R>): Promise<Outcome<R>> =>
  work.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => {
      if (error instanceof ShopError) return { ok: false as const, error };
      throw error;
    },
  );

/**
 * A lone new cart (no batch to share, no per-client caps to read first): one conditional
 * statement, one round trip. It holds the units, and only if that succeeded creates the cart
 * and its reservation.
 */
async function holdInNewCart(cartId: string, client: string, productId: number, quantity: number): Promise<Applied> {
  const { cartTtlSeconds } = config();
  enforceLimits([], 0, quantity);
  const [row] = await pg()<
    { available: number | null; expires_at_ms: number | null; ttl_ms: number | null; known: boolean }[]
  >`
    with held as (${holdUnits(pg(), productId, quantity)}),
    cart as (
      insert into carts (id, client_key, expires_at)
      select ${cartId}, ${client}, now() + make_interval(secs => ${cartTtlSeconds}) from held
      returning expires_at
    ),
    line as (insert into reservations (cart_id, product_id, quantity) select ${cartId}, ${productId}, ${quantity} from cart)
    select (select available from held) as available,
           ${deadlineColumns(pg(), pg()`cart.expires_at`)},
           exists (select 1 from inventory where product_id = ${productId}) as known
      from (select 1) one left join cart on true`;
  if (!row?.known) throw new ShopError("unknown_product", "No such product.");
  if (row.available === null || row.expires_at_ms === null) {
    // Refused: how many are left is read by a statement of its own, since this one's snapshot
    // predates the holds it waited behind.
    const [left] = await pg()<{ available: number; reserved: number }[]>`
      select available, reserved from inventory where product_id = ${productId}`;
    throw insufficientStock(left?.available ?? 0, left?.reserved ?? 0);
  }
  afterBatch(productId, row.available);
  const change = { productId, available: row.available };
  return {
    cartId,
    version: 1,
    expiresAtMs: Number(row.expires_at_ms),
    ttlMs: Number(row.ttl_ms),
    extensionsUsed: 0,
    lines: [{ productId, quantity }],
    previousQuantity: 0,
    lineQuantity: quantity,
    change,
  };
}

function withLine(lines: readonly CartLine[], productId: number, quantity: number): CartLine[] {
  const others = lines.filter((l) => l.productId !== productId);
  const next = quantity > 0 ? [...others, { productId, quantity }] : others;
  return next.sort((a, b) => a.productId - b.productId);
}

function applied(d: Decision, productId: number, newCart: { expiresAtMs: number; ttlMs: number }): Applied {
  const change = d.target === d.current ? null : { productId, available: d.availableAfter };
  const base = { previousQuantity: d.current, lineQuantity: d.target, change, cartId: d.request.target.cartId };
  if (d.cart === null) {
    return { ...base, version: 1, ...newCart, extensionsUsed: 0, lines: [{ productId, quantity: d.target }] };
  }
  return {
    ...base,
    version: d.cart.version,
    expiresAtMs: Number(d.cart.expires_at_ms),
    ttlMs: d.cart.ttl_ms,
    extensionsUsed: d.cart.extensions_used,
    lines: withLine(d.lines, productId, d.target),
  };
}

/** One stock message per batch, not per request; and what the batch says about selling out. */
function afterBatch(productId: number, available: number): void {
  if (available > 0) soldOut.forget(productId);
  void publishStockChanges([{ productId, available }]);
}

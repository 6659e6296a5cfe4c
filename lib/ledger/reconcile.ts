import "server-only";
import type { CartSnapshot } from "../hold/cart-types";
import { ledgerSnapshots } from "../hold/ledger-snapshot";
import { cachedCartIds, forgetCartsInRedis, readCartKeys, repairCartInRedis } from "../hold/redis-cart";
import { pg } from "../db/client";
import { compareCart, ledgerDrift, REBUILT, type CacheVerdict, type LedgerDrift, type LedgerRow } from "../hold/drift";

export type LedgerStatus = { status: "ok" | "drift"; drift: LedgerDrift[] };

/**
 * Every product's counters beside the units its active carts hold, in one statement (one
 * snapshot of the database, so a hold committing meanwhile cannot look like drift).
 */
async function readLedger(): Promise<LedgerRow[]> {
  return pg()<LedgerRow[]>`
    select i.product_id as "productId", p.slug, i.on_hand as "onHand", i.available, i.reserved, i.sold,
           coalesce(h.held, 0)::int as held
      from inventory i
      join products p on p.id = i.product_id
      left join (select r.product_id, sum(r.quantity) as held
                   from reservations r join carts c on c.id = r.cart_id and c.state = 'active'
                  group by r.product_id) h on h.product_id = i.product_id
     order by i.product_id`;
}

/** Invariants 1 and 2 for every product, as every web and worker instance sees them in Postgres. */
export async function ledgerStatus(): Promise<LedgerStatus> {
  const drift = ledgerDrift(await readLedger());
  return { status: drift.length > 0 ? "drift" : "ok", drift };
}

// Carts this close to their deadline are the sweeper's, not the reconciler's.
const DEADLINE_MARGIN_S = 1;
const PAGE = 1_000;

/** Live carts (not about to expire) after `after` in id order, with their lines. */
async function liveCarts(after: string | null, ids?: readonly string[]): Promise<CartSnapshot[]> {
  const sql = pg();
  return ledgerSnapshots(
    sql,
    sql`c.state = 'active' and c.expires_at > now() + make_interval(secs => ${DEADLINE_MARGIN_S})
        ${after ? sql`and c.id > ${after}` : sql``} ${ids ? sql`and c.id in ${sql(ids)}` : sql``}`,
    sql`order by c.id limit ${PAGE}`,
  );
}

async function verdicts(carts: readonly CartSnapshot[]): Promise<Map<string, CacheVerdict>> {
  const cached = await Promise.all(carts.map((c) => readCartKeys(c.cartId)));
  return new Map(carts.map((c, i) => [c.cartId, compareCart(c, cached[i]!)]));
}

/**
 * Of `ids`, the carts this store's Postgres has ended (expired or checked out). An id it does not
 * know is left alone: on a Redis shared by several stores (a cluster has one keyspace) it is
 * another store's live cart, and a key no store knows ends by its own TTL anyway.
 */
async function notActive(ids: readonly string[]): Promise<string[]> {
  const stray: string[] = [];
  const sql = pg();
  for (let i = 0; i < ids.length; i += PAGE) {
    const page = ids.slice(i, i + PAGE);
    const ended = await sql<{ id: string }[]>`select id from carts where state <> 'active' and id in ${sql(page)}`;
    stray.push(...ended.map((r) => r.id));
  }
  return stray;
}

export type ReconcileReport = {
  drift: LedgerDrift[];
  /** Live carts whose Redis keys were compared with the ledger. */
  checkedCarts: number;
  /** Carts whose keys were rebuilt from the ledger, with what was wrong. */
  rebuilt: { cartId: string; verdict: CacheVerdict }[];
  /** Carts Redis still had although Postgres has ended them: keys deleted. */
  deleted: string[];
};

/**
 * One round of reconciliation. The ledger's drift is only reported: the CHECK constraints should
 * make it impossible, and a guessed "fix" would hide whatever bypassed them. Redis is derived
 * state, so where it disagrees with Postgres it is repaired: a live cart's keys are rebuilt from
 * the ledger, keys of carts that are not active are deleted. A disagreement is confirmed by a
 * second read `confirmMs` later, so a change in flight (Postgres committed, Redis not yet written)
 * is never taken for drift.
 */
export async function reconcileOnce({ confirmMs = 300 }: { confirmMs?: number } = {}): Promise<ReconcileReport> {
  const { drift } = await ledgerStatus();
  const suspects: string[] = [];
  let checkedCarts = 0;
  for (let after: string | null = null; ;) {
    const page = await liveCarts(after);
    checkedCarts += page.length;
    for (const [cartId, verdict] of await verdicts(page)) if (REBUILT.has(verdict)) suspects.push(cartId);
    if (page.length < PAGE) break;
    after = page.at(-1)?.cartId ?? null;
  }
  const strayCandidates = await notActive(await cachedCartIds());

  if (suspects.length > 0 || strayCandidates.length > 0) await new Promise((r) => setTimeout(r, confirmMs));

  const rebuilt: ReconcileReport["rebuilt"] = [];
  for (let i = 0; i < suspects.length; i += PAGE) {
    const carts = await liveCarts(null, suspects.slice(i, i + PAGE));
    const confirmed = await verdicts(carts);
    for (const cart of carts) {
      const verdict = confirmed.get(cart.cartId) ?? "agrees";
      if (REBUILT.has(verdict) && (await repairCartInRedis(cart))) rebuilt.push({ cartId: cart.cartId, verdict });
    }
  }
  const deleted = await notActive(strayCandidates);
  if (deleted.length > 0) await forgetCartsInRedis(deleted);
  return { drift, checkedCarts, rebuilt, deleted };
}

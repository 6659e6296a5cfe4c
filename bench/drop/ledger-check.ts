/**
 * The ledger at the close of the sale and once every hold has ended, read with plain SQL on the
 * rehearsal's database and judged by the reconciler's own pure check (lib/hold/drift.ts):
 * - invariants 1 and 2: available + reserved + sold = on hand, none negative; reserved = the units
 *   of reservation rows in active carts; no reservation left on an ended cart;
 * - no oversell: sold ≤ the units put on sale, and sold = the units in orders;
 * - no active cart past its deadline by more than a sweep interval + 1 s (invariant 4);
 * - once every hold has ended (waited for, bounded): nothing reserved, no active cart, nobody in
 *   line, no cart session left in Redis;
 * - every cart and place in line was counted under an address the rehearsal really used: a key
 *   from a forged X-Forwarded-For would show up here.
 */
import type { Redis } from "ioredis";
import type { Sql } from "postgres";
import { ledgerDrift, type LedgerRow } from "../../lib/hold/drift";
import { isWarmUpAddress, sideOf } from "./addresses";
import { sleep } from "./random";

export type LedgerSnapshot = {
  onHand: number;
  available: number;
  reserved: number;
  sold: number;
  ordered: number;
  /** Active carts past their deadline by more than a sweep interval + 1 s (invariant 4's bound). */
  overdue: number;
};

export type LedgerCheck = {
  atClose: LedgerSnapshot & { problems: string[] };
  final: LedgerSnapshot & { problems: string[]; activeCarts: number; waiting: number; redisSessions: number };
  /** How long the holds took to end after the close, and whether they all did within the bound. */
  holdsEndedAfterMs: number;
  holdsEnded: boolean;
  sold: { shoppers: number; bots: number; other: number; orders: number };
  /** Carts or places in line counted under an address that no client of the rehearsal had. */
  foreignClientKeys: string[];
};

/** Invariants 1–2 and no oversell, now; and how many active carts are overdue. */
async function checkNow(
  sql: Sql,
  productId: number,
  units: number,
  sweepIntervalMs: number,
): Promise<LedgerSnapshot & { problems: string[] }> {
  const rows = await sql<
    {
      product_id: number;
      slug: string;
      on_hand: number;
      available: number;
      reserved: number;
      sold: number;
      held: number;
      ordered: number;
      stray: number;
      overdue: number;
    }[]
  >`
    select i.product_id, p.slug, i.on_hand, i.available, i.reserved, i.sold,
           (select coalesce(sum(r.quantity), 0)::int from reservations r join carts c on c.id = r.cart_id
             where r.product_id = i.product_id and c.state = 'active') as held,
           (select coalesce(sum(quantity), 0)::int from order_lines where product_id = i.product_id) as ordered,
           (select count(*)::int from reservations r join carts c on c.id = r.cart_id
             where r.product_id = i.product_id and c.state <> 'active') as stray,
           (select count(*)::int from carts
             where state = 'active' and expires_at < now() - make_interval(secs => ${(sweepIntervalMs + 1_000) / 1_000}))
             as overdue
      from inventory i join products p on p.id = i.product_id
     order by i.product_id`;
  const ledger: LedgerRow[] = rows.map((r) => ({
    productId: r.product_id,
    slug: r.slug,
    onHand: r.on_hand,
    available: r.available,
    reserved: r.reserved,
    sold: r.sold,
    held: r.held,
  }));
  const problems = ledgerDrift(ledger).flatMap((d) => d.problems.map((p) => `product ${d.productId}: ${p}`));
  for (const r of rows) {
    if (r.sold !== r.ordered) problems.push(`product ${r.product_id}: sold ${r.sold} but orders hold ${r.ordered}`);
    if (r.stray > 0) problems.push(`product ${r.product_id}: ${r.stray} reservations left on ended carts`);
  }
  const row = rows.find((r) => r.product_id === productId);
  if (!row) throw new Error(`product ${productId} is gone`);
  if (row.sold > units) problems.push(`oversold: ${row.sold} sold of ${units}`);
  return {
    onHand: row.on_hand,
    available: row.available,
    reserved: row.reserved,
    sold: row.sold,
    ordered: row.ordered,
    overdue: rows[0]?.overdue ?? 0,
    problems,
  };
}

export async function checkLedger(
  sql: Sql,
  redis: Redis,
  opts: { productId: number; units: number; sweepIntervalMs: number; maxWaitMs: number },
): Promise<LedgerCheck> {
  const { productId, units, sweepIntervalMs } = opts;
  const atClose = await checkNow(sql, productId, units, sweepIntervalMs);

  // Every hold ends by its deadline plus a sweep; wait for that (no fixed sleep), within a bound.
  const started = performance.now();
  let active = Infinity;
  while (performance.now() - started < opts.maxWaitMs) {
    const [row] = await sql<{ active: number }[]>`select count(*)::int as active from carts where state = 'active'`;
    active = row?.active ?? 0;
    if (active === 0) break;
    await sleep(250);
  }
  const holdsEndedAfterMs = Math.round(performance.now() - started);

  const final = await checkNow(sql, productId, units, sweepIntervalMs);
  const [counts] = await sql<{ active: number; waiting: number }[]>`
    select (select count(*)::int from carts where state = 'active') as active,
           (select count(*)::int from waitlist_entries) as waiting`;
  let redisSessions = 0;
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", "cart:*:session", "COUNT", 1000);
    cursor = next;
    redisSessions += keys.length;
  } while (cursor !== "0");
  const activeCarts = counts?.active ?? 0;
  const waiting = counts?.waiting ?? 0;
  if (final.overdue > 0)
    final.problems.push(`${final.overdue} active carts overdue by more than a sweep interval + 1 s`);
  if (activeCarts > 0) final.problems.push(`${activeCarts} carts still active ${holdsEndedAfterMs} ms after the close`);
  if (final.reserved > 0)
    final.problems.push(`${final.reserved} units still reserved once every hold should have ended`);
  if (waiting > 0) final.problems.push(`${waiting} places still in line after everyone left`);
  if (redisSessions > 0) final.problems.push(`${redisSessions} cart sessions left in Redis`);

  const sold = { shoppers: 0, bots: 0, other: 0, orders: 0 };
  const orders = await sql<{ client_key: string; units: number }[]>`
    select c.client_key, coalesce(sum(l.quantity), 0)::int as units
      from orders o join carts c on c.id = o.cart_id left join order_lines l on l.order_id = o.id and l.product_id = ${productId}
     group by o.id, c.client_key`;
  for (const o of orders) {
    const side = sideOf(o.client_key);
    sold[side === "shopper" ? "shoppers" : side === "bot" ? "bots" : "other"] += o.units;
    sold.orders += 1;
  }
  const keys = await sql<{ client_key: string }[]>`
    select distinct client_key from carts
    union select distinct (coalesce(new, old)->>'client_key') from drop_audit where tbl = 'waitlist_entries'`;
  const foreignClientKeys = keys.map((k) => k.client_key).filter((k) => sideOf(k) === "other" && !isWarmUpAddress(k));

  return {
    atClose,
    final: { ...final, activeCarts, waiting, redisSessions },
    holdsEndedAfterMs,
    holdsEnded: activeCarts === 0,
    sold,
    foreignClientKeys,
  };
}

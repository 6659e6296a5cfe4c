import { sql } from "drizzle-orm";
import { db } from "@/lib/db/client";
import { cachedCartIds } from "@/lib/hold/redis-cart";
import { ledgerViolations } from "./ledger";

/**
 * The one check every reliability scenario ends with. Empty means sound:
 * - per product, available + reserved + sold = on_hand and none negative (invariant 1);
 * - reserved equals the active reservation rows (invariant 2);
 * - no active cart is still overdue once a sweep interval (+1 s) has passed (invariant 4);
 * - every cart Redis knows belongs to an active Postgres cart (Redis is derived state);
 * - sold equals the units in orders (invariant 6).
 */
export async function invariantViolations(sweepIntervalMs: number): Promise<string[]> {
  const problems = await ledgerViolations();
  const [overdue] = await db().execute<{ n: number }>(sql`
    select count(*)::int as n from carts
     where state = 'active' and expires_at < now() - make_interval(secs => ${(sweepIntervalMs + 1_000) / 1000})`);
  if ((overdue?.n ?? 0) > 0) problems.push(`${overdue?.n} active carts overdue by more than a sweep interval + 1 s`);

  const sold = await db().execute<{ product_id: number; sold: number; ordered: number }>(sql`
    select i.product_id, i.sold, coalesce(o.units, 0)::int as ordered
      from inventory i left join (select product_id, sum(quantity) as units from order_lines group by product_id) o
        on o.product_id = i.product_id
     where i.sold <> coalesce(o.units, 0)`);
  for (const r of sold) problems.push(`product ${r.product_id}: sold ${r.sold} but orders hold ${r.ordered}`);

  const redisCarts = await cachedCartIds();
  if (redisCarts.length > 0) {
    const active = await db().execute<{ id: string }>(
      sql`select id from carts where state = 'active' and id in ${redisCarts}`,
    );
    const activeIds = new Set(active.map((r) => r.id));
    const strays = redisCarts.filter((id) => !activeIds.has(id));
    if (strays.length > 0) problems.push(`${strays.length} carts in Redis that are not active in Postgres`);
  }
  return problems;
}

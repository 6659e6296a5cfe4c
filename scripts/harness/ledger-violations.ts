/**
 * Every way the stock ledger could be wrong, as rows of (product_id, problem): conservation
 * (invariant 1), no negative counter, reserved = active reservation rows (invariant 2), no
 * reservation left on an ended cart. Plain SQL with no parameters, so the tests (drizzle) and
 * `npm run test:ha -- store` (postgres.js, without the store's configuration) run the same query.
 */
export const LEDGER_VIOLATIONS_SQL = `
    select i.product_id, 'not conserved: ' || i.available || '+' || i.reserved || '+' || i.sold || ' <> ' || i.on_hand as problem
      from inventory i where i.available + i.reserved + i.sold <> i.on_hand
    union all
    select i.product_id, 'negative counter' from inventory i
     where least(i.available, i.reserved, i.sold, i.on_hand) < 0
    union all
    select i.product_id, 'reserved ' || i.reserved || ' but active holds ' || coalesce(h.held, 0)
      from inventory i
      left join (select r.product_id, sum(r.quantity)::int as held
                   from reservations r join carts c on c.id = r.cart_id and c.state = 'active'
                  group by r.product_id) h on h.product_id = i.product_id
     where i.reserved <> coalesce(h.held, 0)
    union all
    select r.product_id, 'reservation left on ' || c.state || ' cart ' || c.id
      from reservations r join carts c on c.id = r.cart_id where c.state <> 'active'`;

/** The violations as readable lines (empty = sound). */
export const describeViolations = (rows: readonly { product_id: number; problem: string }[]): string[] =>
  rows.map((r) => `product ${r.product_id}: ${r.problem}`);

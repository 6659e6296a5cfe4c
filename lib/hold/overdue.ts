import "server-only";
import type { PendingQuery, Row, Sql, TransactionSql } from "postgres";
import { pg } from "../db/client";

type Pg = Sql | TransactionSql;

/**
 * The one definition of an overdue cart: still active, its deadline passed, by the database's
 * clock (never a web or worker clock). `cart` is the alias of the carts table in the statement.
 * Invariant 4 says no cart stays overdue for longer than a sweep. The ledger's SQL functions
 * release_carts (drizzle/0006_hot_row_functions.sql) and change_lines (its refusal's next
 * release, drizzle/0010_stock_out_horizon.sql) write the same condition in their own bodies.
 */
export const overdue = (sql: Pg, cart = "carts"): PendingQuery<Row[]> =>
  sql`${sql(cart)}.state = 'active' and ${sql(cart)}.expires_at <= now()`;

/** Active carts, split into live and overdue: what health, metrics and the ops view report. */
export async function countActiveCarts(): Promise<{ live: number; overdue: number }> {
  const sql = pg();
  const [row] = await sql<{ live: number; overdue: number }[]>`
    select count(*) filter (where not (${overdue(sql)}))::int as live,
           count(*) filter (where ${overdue(sql)})::int as overdue
      from carts where state = 'active'`;
  return { live: row?.live ?? 0, overdue: row?.overdue ?? 0 };
}

/**
 * Overdue carts, oldest first, locked; rows another transaction holds (a stuck batch, another
 * worker's sweep) are skipped rather than waited for, so any number of sweepers can run at once.
 */
export const chooseOverdue = async (sql: Pg, limit: number): Promise<string[]> =>
  (
    await sql<{ id: string }[]>`
      select id from carts where ${overdue(sql)} order by expires_at limit ${limit} for update skip locked`
  ).map((r) => r.id);

/** The overdue carts that hold `productId` (invariant 7: an expired hold never refuses a sale). */
export const chooseOverdueHoldersOf = async (sql: Pg, productId: number, limit: number): Promise<string[]> =>
  (
    await sql<{ cart_id: string }[]>`
      select r.cart_id from reservations r join carts c on c.id = r.cart_id
       where r.product_id = ${productId} and ${overdue(sql, "c")}
       limit ${limit}`
  ).map((r) => r.cart_id);

/** Ids of overdue carts for the sweeper's one-by-one fallback (each then released on its own). */
export const overdueCartIds = (limit: number): Promise<string[]> => chooseOverdue(pg(), limit);

/**
 * Milliseconds until the earliest deadline among active carts (database clock; 0 when one is
 * already due, null when no cart is active), so the sweeper can wake when a hold ends rather
 * than up to a whole interval later.
 */
export async function msUntilNextDeadline(): Promise<number | null> {
  const [row] = await pg()<{ ms: number | null }[]>`
    select greatest(0, floor(extract(epoch from min(expires_at) - now()) * 1000))::int as ms
      from carts where state = 'active'
    having count(*) > 0 -- greatest() passes over a null: without this, no cart would read as one due now
  `;
  return row?.ms ?? null;
}

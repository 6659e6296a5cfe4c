import "server-only";
import type { PendingQuery, Row, Sql, TransactionSql } from "postgres";
import type { CartLine, CartSnapshot } from "./cart-types";
import { deadlineColumns, type DeadlineColumns } from "./deadline-sql";

export type LedgerSnapshot = CartSnapshot & { state: "active" | "expired" | "checked_out"; live: boolean };

type SnapshotRow = DeadlineColumns & {
  id: string;
  state: LedgerSnapshot["state"];
  version: number;
  extensions_used: number;
  live: boolean;
  lines: CartLine[];
};

/**
 * Carts as the ledger has them, the one reading of what Redis is written from: a request
 * rebuilding a cart Redis lost, the hand-off writing the carts it filled, the reconciler. One
 * statement, so each version goes with its own lines (a version with another commit's lines
 * would be kept in Redis over the true one). `where` filters `carts c`; `rest` orders and limits.
 */
export async function ledgerSnapshots(
  sql: Sql | TransactionSql,
  where: PendingQuery<Row[]>,
  rest: PendingQuery<Row[]> = sql``,
): Promise<LedgerSnapshot[]> {
  const rows = await sql<SnapshotRow[]>`
    select c.id, c.state, c.version, c.extensions_used, c.expires_at > now() as live,
           ${deadlineColumns(sql, sql`c.expires_at`)},
           coalesce((select json_agg(json_build_object('productId', r.product_id, 'quantity', r.quantity)
                                     order by r.product_id)
                       from reservations r where r.cart_id = c.id), '[]') as lines
      from carts c where ${where} ${rest}`;
  return rows.map((r) => ({
    cartId: r.id,
    state: r.state,
    live: r.live,
    version: r.version,
    expiresAtMs: Number(r.expires_at_ms),
    ttlMs: r.ttl_ms,
    extensionsUsed: r.extensions_used,
    lines: r.lines,
  }));
}

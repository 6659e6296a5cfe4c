import "server-only";
import type { Sql } from "postgres";
import { pg } from "../db/client";

/** What came of an entrant of a drop's draw. */
export type DrawOutcome = "offered" | "claimed" | "passed_on" | "waiting" | "left";

/** Entrants by outcome, the entrants in all, and the units offered to them. */
export type DrawSummary = Record<DrawOutcome, number> & { entrants: number; unitsOffered: number };

export type DrawRecord = {
  releaseAt: string | null;
  drawnAt: string | null;
  summary: DrawSummary;
  entries: { rank: number; joinedAt: string; quantity: number; offeredUnits: number | null; outcome: DrawOutcome }[];
};

// Timestamps as the client reads them (lib/db/client.ts): text, read with `iso`.
type Row = {
  release_at: string | null;
  drawn_at: string | null;
  rank: number | null;
  joined_at: string | null;
  quantity: number | null;
  offered_units: number | null;
  outcome: DrawOutcome | null;
};

const iso = (timestamp: string) => new Date(timestamp).toISOString();

/**
 * What came of an entrant (a draw_entries row `d`) as the ledger has it now: an open offer,
 * claimed (the offer's cart was checked out with the product in it), passed on (declined, or it
 * ran out), still waiting in line, or left the line without an offer.
 */
const outcome = (sql: Sql) => sql`
  case
    when d.offer_cart_id is null then
      case when exists (select 1 from waitlist_entries w where w.id = d.entry_id) then 'waiting' else 'left' end
    when exists (select 1 from orders o join order_lines l on l.order_id = o.id
                  where o.cart_id = d.offer_cart_id and l.product_id = d.product_id) then 'claimed'
    when exists (select 1 from waitlist_entries w join carts c on c.id = w.offer_cart_id
                  where w.id = d.entry_id and c.state = 'active' and c.expires_at > now()) then 'offered'
    else 'passed_on'
  end`;

/**
 * The recorded draw of a product's latest release (drizzle/0008_drops.sql, draw_entries), in rank
 * order, with what came of each entrant as the ledger has it now: an open offer, claimed (the
 * offer's cart was checked out with the product in it), passed on (declined, or it ran out),
 * still waiting in line, or left the line without an offer. Null for an unknown product.
 */
export async function drawRecord(productId: number): Promise<DrawRecord | null> {
  const sql = pg();
  const rows = await sql<Row[]>`
    select p.release_at, p.drawn_at, d.rank, d.joined_at, d.quantity, d.offered_units,
           case when d.rank is not null then ${outcome(sql)} end as outcome
      from products p
      left join draw_entries d on d.product_id = p.id and d.release_at = p.release_at
     where p.id = ${productId}
     order by d.rank`;
  const [first] = rows;
  if (!first) return null;
  const summary = emptySummary();
  const entries: DrawRecord["entries"] = [];
  for (const r of rows) {
    if (r.rank === null || r.outcome === null || r.joined_at === null || r.quantity === null) continue;
    summary.entrants += 1;
    summary.unitsOffered += r.offered_units ?? 0;
    summary[r.outcome] += 1;
    entries.push({
      rank: r.rank,
      joinedAt: iso(r.joined_at),
      quantity: r.quantity,
      offeredUnits: r.offered_units,
      outcome: r.outcome,
    });
  }
  return {
    releaseAt: first.release_at === null ? null : iso(first.release_at),
    drawnAt: first.drawn_at === null ? null : iso(first.drawn_at),
    summary,
    entries,
  };
}

export const emptySummary = (): DrawSummary => ({
  entrants: 0,
  unitsOffered: 0,
  offered: 0,
  claimed: 0,
  passed_on: 0,
  waiting: 0,
  left: 0,
});

/** The summary of every product's latest draw, by product id (the operator's dashboard, each second). */
export async function drawSummaries(): Promise<Map<number, DrawSummary>> {
  const sql = pg();
  const rows = await sql<{ product_id: number; outcome: DrawOutcome; entrants: number; units: number }[]>`
    select d.product_id, ${outcome(sql)} as outcome, count(*)::int as entrants,
           coalesce(sum(d.offered_units), 0)::int as units
      from products p join draw_entries d on d.product_id = p.id and d.release_at = p.release_at
     group by 1, 2`;
  const summaries = new Map<number, DrawSummary>();
  for (const r of rows) {
    const summary = summaries.get(r.product_id) ?? emptySummary();
    summary.entrants += r.entrants;
    summary.unitsOffered += r.units;
    summary[r.outcome] += r.entrants;
    summaries.set(r.product_id, summary);
  }
  return summaries;
}

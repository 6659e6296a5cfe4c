import "server-only";
import { pg } from "../db/client";

/** What came of an entrant of a drop's draw. */
export type DrawOutcome = "offered" | "claimed" | "passed_on" | "waiting" | "left";

export type DrawRecord = {
  releaseAt: string | null;
  drawnAt: string | null;
  /** Counts of `entries` by outcome, and the entrants in all. */
  summary: Record<DrawOutcome, number> & { entrants: number; unitsOffered: number };
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
 * The recorded draw of a product's latest release (drizzle/0008_drops.sql, draw_entries), in rank
 * order, with what came of each entrant as the ledger has it now: an open offer, claimed (the
 * offer's cart was checked out with the product in it), passed on (declined, or it ran out),
 * still waiting in line, or left the line without an offer. Null for an unknown product.
 */
export async function drawRecord(productId: number): Promise<DrawRecord | null> {
  const rows = await pg()<Row[]>`
    select p.release_at, p.drawn_at, d.rank, d.joined_at, d.quantity, d.offered_units,
           case
             when d.rank is null then null
             when d.offer_cart_id is null then
               case when exists (select 1 from waitlist_entries w where w.id = d.entry_id) then 'waiting' else 'left' end
             when exists (select 1 from orders o join order_lines l on l.order_id = o.id
                           where o.cart_id = d.offer_cart_id and l.product_id = d.product_id) then 'claimed'
             when exists (select 1 from waitlist_entries w join carts c on c.id = w.offer_cart_id
                           where w.id = d.entry_id and c.state = 'active' and c.expires_at > now()) then 'offered'
             else 'passed_on'
           end as outcome
      from products p
      left join draw_entries d on d.product_id = p.id and d.release_at = p.release_at
     where p.id = ${productId}
     order by d.rank`;
  const [first] = rows;
  if (!first) return null;
  const summary: DrawRecord["summary"] = {
    entrants: 0,
    unitsOffered: 0,
    offered: 0,
    claimed: 0,
    passed_on: 0,
    waiting: 0,
    left: 0,
  };
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

import "server-only";
import { pg } from "../db/client";
import { ledgerSettingsJson } from "../hold/ledger-settings";
import { log } from "../base/log";
import { announceHandOff, handOffOf, type Offer } from "../hold/hand-off";
import { waitlistChanged } from "../waitlist/entries";

/**
 * Offers made per statement when a drop opens: a line of 100,000 entrants is offered its units
 * in transactions of this many offers, each holding the product's row for one round trip.
 */
export const DROP_OFFER_BATCH = 200;

/** What opening one drop did: entrants drawn (null: another worker drew), offers made, whether it opened. */
export type OpenedDrop = { productId: number; entrants: number | null; offers: number; opened: boolean };

/**
 * Opens every drop whose release time has come (invariant 11), exactly once whichever worker and
 * however many: draw_drop orders the entrants at random and records it, then open_drop offers the
 * units to the line in that order, a batch per statement, until the units or the line run out
 * (drizzle/0008_drops.sql). After each batch the offers are written to Redis and announced like
 * any hand-off, so an entrant's page hears of its offer while later batches are still being made;
 * at the end every page of the product re-reads it (its place in line, the add button).
 */
export async function openDueDrops(): Promise<OpenedDrop[]> {
  const due = await pg()<{ id: number }[]>`
    select id from products where release_at <= now() and opened_at is null order by release_at, id`;
  const opened: OpenedDrop[] = [];
  for (const { id } of due) opened.push(await openDrop(id));
  return opened;
}

async function openDrop(productId: number): Promise<OpenedDrop> {
  const [drawn] = await pg()<{ outcome: { drawn: boolean; entrants?: number } }[]>`
    select draw_drop(${productId}::int) as outcome`;
  const entrants = drawn?.outcome.drawn ? (drawn.outcome.entrants ?? 0) : null;
  if (entrants !== null) log.info("drop_drawn", { product: productId, entrants });
  let offers = 0;
  for (;;) {
    const [batch] = await pg()<{ outcome: { offers: Offer[]; opened: boolean } }[]>`
      select open_drop(${productId}::int, ${ledgerSettingsJson()}::jsonb, ${DROP_OFFER_BATCH}::int) as outcome`;
    if (!batch) throw new Error("open_drop answered no row");
    offers += batch.outcome.offers.length;
    await announceHandOff(await handOffOf(batch.outcome.offers));
    if (batch.outcome.opened || batch.outcome.offers.length === 0) {
      await waitlistChanged(productId);
      if (batch.outcome.opened) log.info("drop_opened", { product: productId, offers });
      return { productId, entrants, offers, opened: batch.outcome.opened };
    }
  }
}

/** Milliseconds until the next drop's release (0: one is due), null when none is scheduled: the worker wakes for it. */
export async function msUntilNextDrop(): Promise<number | null> {
  const [row] = await pg()<{ ms: number | null }[]>`
    select greatest(0, floor(extract(epoch from min(release_at) - now()) * 1000))::int as ms
      from products where release_at is not null and opened_at is null
    having count(*) > 0 -- greatest() passes over a null: without this, no drop would read as one due now
  `;
  return row?.ms ?? null;
}

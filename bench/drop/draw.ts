/**
 * What a drop decided by a draw did, from the database's own record (draw_entries, products, the
 * rehearsal's audit) and the shoppers' and bots' logs: who entered, where the draw put the bots,
 * what each side was offered, how soon after the release the offers were made and the pages knew,
 * and whether speed bought anything (the first tenth of entrants to join against the last tenth).
 */
import type { Sql } from "postgres";
import { percentile } from "../stats";
import type { AuditRow } from "./audit";
import type { BotLog } from "./bot";
import type { History } from "./history";
import type { Side } from "./addresses";
import type { ShopperLog } from "./shopper";

type Latency = { n: number; p50: number | null; p99: number | null };
const latency = (values: number[]): Latency => ({
  n: values.length,
  p50: percentile(values, 50),
  p99: percentile(values, 99),
});

export type DrawFigures = {
  /** The release, Unix ms (database clock). */
  releaseAtMs: number;
  entrants: number;
  botEntries: number;
  /** Tries the bots made to enter the line or the draw, and how many were accepted (one per address at most). */
  botEntryTries: number;
  botEntriesAccepted: number;
  /** Addresses with more than one entry in the draw (invariant 11: must be none). */
  clientsWithSeveralEntries: number;
  /** The draw's rank of every bot entry, best first. */
  botRanks: number[];
  /** Units held by anyone before the release (invariant 11: must be 0). */
  unitsHeldBeforeRelease: number;
  /** Release → the drop opened (every opening offer made), and → the first offer, ms (database clock). */
  releaseToOpenedMs: number | null;
  releaseToFirstOfferMs: number | null;
  /** Release → each opening offer made (database clock), and → its entrant's page knew. */
  releaseToOffer: Latency;
  releaseToHeard: Latency;
  /** Units offered through the line over the whole sale, and in the opening, by side. */
  unitsOffered: Record<Side, number>;
  openingUnitsOffered: Record<Side, number>;
  /** Share of the first and last tenth of entrants (by when they joined) offered units at the opening. */
  speed: { firstTenth: number; lastTenth: number; tenth: number };
};

export async function drawFigures(
  sql: Sql,
  productId: number,
  audit: readonly AuditRow[],
  history: History,
  shoppers: readonly ShopperLog[],
  bots: readonly BotLog[],
  sideOf: (clientKey: string) => Side,
): Promise<DrawFigures> {
  const [times] = await sql<{ release_ms: number; opened_ms: number | null }[]>`
    select (extract(epoch from release_at) * 1000)::float8 as release_ms,
           (extract(epoch from opened_at) * 1000)::float8 as opened_ms
      from products where id = ${productId}`;
  if (!times) throw new Error("the drop's product is gone");
  const releaseAtMs = times.release_ms;
  const openedMs = times.opened_ms;
  type Entry = { rank: number; waiter_id: string; client_key: string; offered_units: number | null };
  const entries: readonly Entry[] = await sql<Entry[]>`
    select rank, waiter_id::text, client_key, offered_units from draw_entries
     where product_id = ${productId} order by joined_at, entry_id`;
  const several = await sql<{ n: number }[]>`
    select count(*)::int as n from (
      select client_key from draw_entries where product_id = ${productId}
       group by client_key having count(*) > 1) x`;

  const zero = (): Record<Side, number> => ({ shopper: 0, bot: 0, other: 0 });
  const unitsOffered = zero();
  const openingUnitsOffered = zero();
  const openingWaiters = new Set<string>();
  let unitsHeldBeforeRelease = 0;
  let firstOfferMs: number | null = null;
  for (const r of audit) {
    if (r.tbl === "reservations" && r.productId === productId && r.newQty > r.oldQty && r.atMs < releaseAtMs) {
      unitsHeldBeforeRelease += r.newQty - r.oldQty;
    }
    if (r.tbl === "waitlist_entries" && r.op === "UPDATE" && r.oldOfferCart === null && r.newOfferCart !== null) {
      const units = r.offeredUnits ?? 0;
      unitsOffered[sideOf(r.clientKey)] += units;
      if (openedMs !== null && r.atMs <= openedMs && r.drawRank !== null) {
        openingUnitsOffered[sideOf(r.clientKey)] += units;
        openingWaiters.add(r.waiterId);
        firstOfferMs = Math.min(firstOfferMs ?? Infinity, r.atMs);
      }
    }
  }

  const releaseToOffer: number[] = [];
  for (const waiter of openingWaiters) {
    const offer = history.offers.get(waiter);
    if (offer) releaseToOffer.push(offer.atMs - releaseAtMs);
  }
  const releaseToHeard = shoppers
    .filter((s) => s.waiterId !== null && openingWaiters.has(s.waiterId) && s.offerHeardAt !== null)
    .map((s) => (s.offerHeardAt as number) - releaseAtMs);

  const tenth = Math.max(1, Math.floor(entries.length / 10));
  const offeredShare = (slice: readonly Entry[]) =>
    slice.length === 0 ? 0 : slice.filter((e) => openingWaiters.has(e.waiter_id)).length / slice.length;
  const botEntries = entries.filter((e) => sideOf(e.client_key) === "bot");
  return {
    releaseAtMs,
    entrants: entries.length,
    botEntries: botEntries.length,
    botEntryTries: bots.reduce((n, b) => n + b.entryTries, 0),
    botEntriesAccepted: bots.reduce((n, b) => n + b.entriesAccepted, 0),
    clientsWithSeveralEntries: several[0]?.n ?? 0,
    botRanks: botEntries.map((e) => e.rank).sort((a, b) => a - b),
    unitsHeldBeforeRelease,
    releaseToOpenedMs: openedMs === null ? null : Math.round(openedMs - releaseAtMs),
    releaseToFirstOfferMs: firstOfferMs === null ? null : Math.round(firstOfferMs - releaseAtMs),
    releaseToOffer: latency(releaseToOffer),
    releaseToHeard: latency(releaseToHeard),
    unitsOffered,
    openingUnitsOffered,
    speed: {
      tenth,
      firstTenth: Number(offeredShare(entries.slice(0, tenth)).toFixed(3)),
      lastTenth: Number(offeredShare(entries.slice(-tenth)).toFixed(3)),
    },
  };
}

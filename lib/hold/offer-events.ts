import "server-only";
import { log, reason } from "../base/log";
import { redis } from "../redis/client";
import { stockChannel } from "./stock-events";

/** What a waiter's open pages hear when units were handed to them (no ids of anyone else). */
export type OfferNotice = { waiterId: string; productId: number; units: number };

/** The offers' pub/sub channel: beside the stock channel, named after the same stores. */
export const offerChannel = (): string => `offers:${stockChannel()}`;

/** Best effort: a page that misses it sees the offer in its cart on the next load. */
export async function publishOffers(offers: readonly OfferNotice[]): Promise<void> {
  if (offers.length === 0) return;
  const notices: OfferNotice[] = offers.map(({ waiterId, productId, units }) => ({ waiterId, productId, units }));
  try {
    await redis().publish(offerChannel(), JSON.stringify(notices));
  } catch (error) {
    log.warn("offers_publish_failed", { error: reason(error) });
  }
}

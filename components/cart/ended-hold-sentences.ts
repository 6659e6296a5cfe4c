import { stillAvailable, type EndedHold, type ReleasedItem } from "@/lib/hold/cart-types";

/**
 * What the panel of an ended hold says, from what is known for certain: the hold ended and
 * nothing is held for the shopper now. Where the units went is not said: a unit freed when a hold
 * ends goes to the next shopper in line first (invariant 6), so "went back to stock" would be
 * false as often as true; what is in stock now is said per item, live.
 */
export function endedHeading(ended: EndedHold): string {
  const units = ended.items.reduce((n, i) => n + i.quantity, 0);
  return units === 1
    ? "Your hold ended: this item is no longer held for you"
    : "Your hold ended: these items are no longer held for you";
}

/** "still in stock", "only 1 left" or "none left right now": the item's stock against what was held. */
export function endedItemStock(item: Pick<ReleasedItem, "quantity" | "availableNow">): string {
  if (item.availableNow <= 0) return "none left right now";
  return item.availableNow >= item.quantity ? "still in stock" : `only ${item.availableNow} left`;
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

/** "Hold it again", "Hold them again", "Hold the 2 that are still in stock", or null when none is left. */
export function holdAgainLabel(ended: EndedHold): string | null {
  const can = stillAvailable(ended);
  const had = ended.items.reduce((n, i) => n + i.quantity, 0);
  if (can === 0) return null;
  if (can === had) return plural(had, "Hold it again", "Hold them again");
  return `Hold the ${can} that ${plural(can, "is", "are")} still in stock`;
}

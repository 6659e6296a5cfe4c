import { describe, expect, it } from "vitest";
import { stillAvailable, type ReleasedItem } from "@/lib/hold/cart-types";
import { endedHeading, endedItemStock, holdAgainLabel } from "@/components/cart/ended-hold-sentences";

const item = (productId: number, quantity: number, availableNow: number): ReleasedItem => ({
  productId,
  slug: `p${productId}`,
  name: `Product ${productId}`,
  imageUrl: "/p.svg",
  unitPriceCents: 1000,
  quantity,
  availableNow,
});

describe("a hold that ran out", () => {
  it("offers to hold again only what is in stock now, never more than was held", () => {
    // 3 mugs held, 2 left now; 1 tote held, 5 left; 2 caps held, none left: "Hold the 3 still in stock".
    expect(stillAvailable({ items: [item(1, 3, 2), item(2, 1, 5), item(3, 2, 0)] })).toBe(3);
    expect(stillAvailable({ items: [item(1, 2, 0)] })).toBe(0);
  });

  it("says the hold ended and nothing is held, counting units, never where they went", () => {
    // Two units of one product are "these items", not "this item".
    expect(endedHeading({ items: [item(1, 2, 5)] })).toBe("Your hold ended: these items are no longer held for you");
    expect(endedHeading({ items: [item(1, 1, 5)] })).toBe("Your hold ended: this item is no longer held for you");
    for (const ended of [{ items: [item(1, 1, 0)] }, { items: [item(1, 2, 5), item(2, 1, 0)] }]) {
      expect(endedHeading(ended)).not.toMatch(/stock/);
    }
  });

  it("tells each item's stock now against what was held, and offers to hold again what is there", () => {
    expect(endedItemStock({ quantity: 2, availableNow: 0 })).toBe("none left right now");
    expect(endedItemStock({ quantity: 2, availableNow: 1 })).toBe("only 1 left");
    expect(endedItemStock({ quantity: 2, availableNow: 2 })).toBe("still in stock");
    expect(holdAgainLabel({ items: [item(1, 1, 3)] })).toBe("Hold it again");
    expect(holdAgainLabel({ items: [item(1, 2, 3)] })).toBe("Hold them again");
    expect(holdAgainLabel({ items: [item(1, 3, 2)] })).toBe("Hold the 2 that are still in stock");
    expect(holdAgainLabel({ items: [item(1, 3, 0)] })).toBeNull();
  });
});

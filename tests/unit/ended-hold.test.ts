import { describe, expect, it } from "vitest";
import { stillAvailable, type ReleasedItem } from "@/lib/cart/cart-types";

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
});

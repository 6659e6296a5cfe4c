import { describe, expect, it } from "vitest";
import { withLine } from "@/components/cart/optimistic";
import { EMPTY_CART } from "@/lib/hold/cart-types";

// The cart a shopper sees at once, before the server answers.
const mug = { id: 1, slug: "mug", name: "Mug", imageUrl: "/m.svg", priceCents: 1800 };
const tote = { id: 2, slug: "tote", name: "Tote", imageUrl: "/t.svg", priceCents: 2500 };

describe("the optimistic cart", () => {
  it("adds, changes and removes a line, keeping the subtotal right", () => {
    const empty = EMPTY_CART;
    const one = withLine(empty, mug, (q) => q + 1);
    expect(one.items).toHaveLength(1);
    expect(one.subtotalCents).toBe(1800);
    expect(withLine(one, mug, (q) => q + 2).subtotalCents).toBe(5400);
    expect(withLine(one, mug, () => 0).items).toEqual([]);
  });

  it("keeps lines in product order whatever order they were added in, and never shows a negative quantity", () => {
    const both = withLine(
      withLine(EMPTY_CART, tote, () => 1),
      mug,
      () => 2,
    );
    expect(both.items.map((i) => [i.productId, i.quantity])).toEqual([
      [1, 2],
      [2, 1],
    ]);
    expect(both.subtotalCents).toBe(2 * 1800 + 2500);
    expect(withLine(both, tote, (q) => q - 5).items.map((i) => i.productId)).toEqual([1]);
  });
});

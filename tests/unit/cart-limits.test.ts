import { describe, expect, it } from "vitest";
import { enforceLimits } from "@/lib/hold/cart-limits";
import { setTestConfig } from "../support/config";
import { refusalOf } from "../support/error-code";

// What one cart may hold (cart_limit): 10 of one item, 5 different items, 20 units in all.
setTestConfig({ MAX_QTY_PER_LINE: "10", MAX_LINES: "5", MAX_UNITS_PER_CART: "20" });

/** A cart's lines: products 1, 2, … with these quantities. */
const cart = (...quantities: number[]) => quantities.map((quantity, i) => ({ productId: i + 1, quantity }));
/** The refusal, if any, of changing the line of `productId` to `target` units. */
const change = (lines: ReturnType<typeof cart>, productId: number, target: number) =>
  refusalOf(() => enforceLimits(lines, lines.find((l) => l.productId === productId)?.quantity ?? 0, target));

describe("what one cart may hold", () => {
  it("takes a 10th unit of an item and refuses an 11th with cart_limit and the line's maximum", () => {
    expect(change(cart(9), 1, 10)).toBeNull();
    expect(change(cart(10), 1, 11)).toEqual({
      code: "cart_limit",
      message: "At most 10 of one item per cart.",
      details: { maxQtyPerLine: 10 },
    });
    // Asking for 11 at once, on a new line, is the same refusal.
    expect(change(cart(), 1, 11)?.details).toEqual({ maxQtyPerLine: 10 });
  });

  it("refuses a 6th different item, but not more of an item already in the cart", () => {
    const five = cart(1, 1, 1, 1, 1);
    expect(change(five, 6, 1)).toEqual({
      code: "cart_limit",
      message: "A cart holds at most 5 different items.",
      details: { maxLines: 5 },
    });
    expect(change(five, 3, 2)).toBeNull();
    expect(change(cart(1, 1, 1, 1), 5, 1)).toBeNull();
  });

  it("refuses the 21st unit in all, whichever line it goes on", () => {
    expect(change(cart(10, 9), 2, 10)).toBeNull();
    expect(change(cart(10, 10), 3, 1)).toEqual({
      code: "cart_limit",
      message: "A cart holds at most 20 items.",
      details: { maxUnitsPerCart: 20 },
    });
    expect(change(cart(10, 5, 5), 2, 6)?.details).toEqual({ maxUnitsPerCart: 20 });
  });

  it("never refuses taking units out, even of a cart over the limits (they were lowered since)", () => {
    const over = cart(10, 10, 5, 1, 1); // 27 units
    expect(change(over, 3, 4)).toBeNull();
    expect(change(over, 1, 0)).toBeNull();
    expect(change(over, 2, 10)).toBeNull(); // unchanged
  });
});
